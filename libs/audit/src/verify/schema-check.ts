import { describeDecodeFault, describeShapeFault, parsesAsTime, shapeProblem, tryDecodeEvent, type DataShape, type DecodeFault, type KeyledgerEvent, type RecordedEvent } from '@keyledger/kms-domain';
import { AUDIT_EVENT_SHAPES, EVENT_SHAPES, EXACT_STREAMS, EXPECTED_VERSIONS, expectedCategory } from './event-shapes';
import type { Report } from './findings';

/** What the catalogue says about one event type, looked up once per event. */
interface TypeRule {
  readonly category: string;
  /** Stream name prefix of the category (`key-`), or null for the audit streams (exact name). */
  readonly prefix: string | null;
  /** The one stream of an audit type (`audit-checkpoints`, `audit-key`), else null. */
  readonly exact: string | null;
  /** The audit's own types: their version and shape (domain types go through the decoder). */
  readonly audit: { readonly version: number; readonly shape: DataShape } | null;
}

const TYPE_RULES: ReadonlyMap<string, TypeRule> = new Map(
  Object.keys(EVENT_SHAPES).map((type) => {
    const category = expectedCategory(type);
    const exact = EXACT_STREAMS[type] ?? null;
    const own = Object.prototype.hasOwnProperty.call(AUDIT_EVENT_SHAPES, type) ? AUDIT_EVENT_SHAPES[type as keyof typeof AUDIT_EVENT_SHAPES] : null;
    const rule: TypeRule = { category, prefix: exact !== null ? null : `${category}-`, exact, audit: own && { version: EXPECTED_VERSIONS[type], shape: own } };
    return [type, rule];
  }),
);

/**
 * Outcome of the schema check: the event decoded to its current version (null for the audit's own
 * checkpoint and key events), or the first problem found.
 */
export type SchemaResult = { readonly ok: true; readonly event: KeyledgerEvent | null } | { readonly ok: false; readonly problem: string };

/**
 * Checks one event against the catalogue: a known type that the domain's decoder reads (schema
 * version, upcasters, data shape), in a stream of its category whose ids match the data, and
 * complete metadata. A decode failure is a finding, never an exception. When `ok`, the decoded
 * event may be fed to the rule checkers.
 */
export function checkSchema(event: RecordedEvent, report: Report): SchemaResult {
  const result = checkEventSchema(event);
  if (!result.ok) report({ position: event.position, stream: event.streamName, rule: 'schema', detail: result.problem });
  return result;
}

/** The first schema problem of an event, or null when it fits the catalogue (checkSchema without reporting). */
export function schemaProblem(event: RecordedEvent): string | null {
  const result = checkEventSchema(event);
  return result.ok ? null : result.problem;
}

const bad = (problem: string): SchemaResult => ({ ok: false, problem });

function checkEventSchema(event: RecordedEvent): SchemaResult {
  const { type, schemaVersion, streamName } = event;
  const rule = typeof type === 'string' ? TYPE_RULES.get(type) : undefined;
  if (rule === undefined) return bad(`unknown event type ${String(type)}`);
  let decoded: KeyledgerEvent | null = null;
  if (rule.audit !== null) {
    if (schemaVersion !== rule.audit.version) return bad(`${type} at schema version ${String(schemaVersion)}, expected ${rule.audit.version}`);
  } else {
    const result = tryDecodeEvent(event);
    if (!result.ok) return bad(decodeProblem(event, result.fault));
    decoded = result.event;
  }
  // Key material lives in the key's shared stream (older versions) or in a stream per version.
  const category = rule.category === 'keymaterial' && streamName.startsWith('keymaterialv-') ? 'keymaterialv' : rule.category;
  const inStream = rule.prefix === null ? streamName === rule.exact : category === 'keymaterialv' || streamName.startsWith(rule.prefix);
  if (!inStream) return bad(`${type} does not belong in stream ${streamName}`);
  if (rule.audit !== null) {
    const shape = shapeProblem(event.data, rule.audit.shape);
    if (shape !== null) return bad(`${type}: ${shape}`);
  }
  const data = (decoded === null ? event.data : decoded.data) as Record<string, unknown>;
  const ids = streamIdProblem(category, streamName, data);
  if (ids !== null) return bad(`${type}: ${ids}`);
  const metadata = metadataProblem(event.metadata);
  return metadata === null ? { ok: true, event: decoded } : bad(metadata);
}

/** The decoder's fault as a finding; for the auditor, an unexpected field is named. */
function decodeProblem(event: RecordedEvent, fault: DecodeFault): string {
  return fault.reason === 'bad-data' ? `${String(event.type)}: ${describeShapeFault(fault.shape)}` : describeDecodeFault(event, fault);
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
    case 'keymaterialv': {
      const expected = `keymaterialv-${String(data.tenantId)}:${String(data.keyId)}:${String(data.version)}`;
      return streamName === expected ? null : mismatch(expected, streamName);
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
