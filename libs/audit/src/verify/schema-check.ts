import type { RecordedEvent } from '@keyledger/kms-domain';
import { EVENT_SHAPES, EXACT_STREAMS, EXPECTED_VERSIONS, expectedCategory } from './event-shapes';
import { DataShape, parsesAsTime, shapeProblem } from './field-checks';
import type { Report } from './findings';

/** What the catalogue says about one event type, looked up once per event. */
interface TypeRule {
  readonly version: number;
  readonly category: string;
  /** Stream name prefix of the category (`key-`), or null for the audit streams (exact name). */
  readonly prefix: string | null;
  /** The one stream of an audit type (`audit-checkpoints`, `audit-key`), else null. */
  readonly exact: string | null;
  readonly shape: DataShape;
}

const TYPE_RULES: ReadonlyMap<string, TypeRule> = new Map(
  Object.keys(EVENT_SHAPES).map((type) => {
    const category = expectedCategory(type);
    const exact = EXACT_STREAMS[type] ?? null;
    const rule: TypeRule = { version: EXPECTED_VERSIONS[type], category, prefix: exact !== null ? null : `${category}-`, exact, shape: EVENT_SHAPES[type as keyof typeof EVENT_SHAPES] };
    return [type, rule];
  }),
);

/**
 * Checks one event against the catalogue: a known type at its current schema version, in a stream
 * of its category whose ids match the data, data of the documented shape, and complete metadata.
 * Returns true when the event may be fed to the rule checkers.
 */
export function checkSchema(event: RecordedEvent, report: Report): boolean {
  const problem = schemaProblem(event);
  if (problem === null) return true;
  report({ position: event.position, stream: event.streamName, rule: 'schema', detail: problem });
  return false;
}

/** The first schema problem of an event, or null when it fits the catalogue (checkSchema without reporting). */
export function schemaProblem(event: RecordedEvent): string | null {
  const { type, schemaVersion, streamName } = event;
  const rule = typeof type === 'string' ? TYPE_RULES.get(type) : undefined;
  if (rule === undefined) return `unknown event type ${String(type)}`;
  if (schemaVersion !== rule.version) return `${type} at schema version ${String(schemaVersion)}, expected ${rule.version}`;
  const inStream = rule.prefix === null ? streamName === rule.exact : streamName.startsWith(rule.prefix);
  if (!inStream) return `${type} does not belong in stream ${streamName}`;
  const shape = shapeProblem(event.data, rule.shape);
  if (shape !== null) return `${type}: ${shape}`;
  const ids = streamIdProblem(rule.category, streamName, event.data as Record<string, unknown>);
  if (ids !== null) return `${type}: ${ids}`;
  return metadataProblem(event.metadata);
}

function streamIdProblem(category: string, streamName: string, data: Record<string, unknown>): string | null {
  switch (category) {
    case 'key':
    case 'keymaterial': {
      const [tenantId, keyId] = [String(data.tenantId), String(data.keyId)];
      // `${category}-${tenantId}:${keyId}`, compared in place (no string built per event).
      const at = category.length + 1;
      const sep = at + tenantId.length;
      const same = streamName.length === sep + 1 + keyId.length && streamName.startsWith(tenantId, at) && streamName.charCodeAt(sep) === 58 && streamName.endsWith(keyId);
      return same ? null : mismatch(`${category}-${tenantId}:${keyId}`, streamName);
    }
    case 'breakglass':
      return idProblem('breakglass-', String(data.sessionId), streamName);
    case 'breaker':
      return idProblem('breaker-', String(data.name), streamName);
    case 'rotationjob':
      return idProblem('rotationjob-', String(data.jobId), streamName);
    default:
      return null;
  }
}

function idProblem(prefix: string, id: string, streamName: string): string | null {
  return streamName.length === prefix.length + id.length && streamName.endsWith(id) ? null : mismatch(`${prefix}${id}`, streamName);
}

function mismatch(expected: string, streamName: string): string {
  return `data names ${expected}, stored in ${streamName}`;
}

function metadataProblem(m: RecordedEvent['metadata']): string | null {
  if (!nonEmpty(m.eventId)) return 'metadata.eventId is missing';
  if (!nonEmpty(m.actor)) return 'metadata.actor is missing';
  if (!nonEmpty(m.correlationId)) return 'metadata.correlationId is missing';
  if (m.causationId !== null && typeof m.causationId !== 'string') return 'metadata.causationId is out of shape';
  if (!parsesAsTime(m.occurredAt)) return 'metadata.occurredAt is not a timestamp';
  return null;
}

function nonEmpty(v: unknown): boolean {
  return typeof v === 'string' && v.length > 0;
}
