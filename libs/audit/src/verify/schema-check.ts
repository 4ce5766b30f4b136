import type { RecordedEvent } from '@keyledger/kms-domain';
import { AUDIT_CHECKPOINT_STREAM } from '../checkpoint/checkpoint-event';
import { EVENT_SHAPES, EXPECTED_VERSIONS, expectedCategory } from './event-shapes';
import { shapeProblem } from './field-checks';
import type { Report } from './findings';

const METADATA_TEXT = ['eventId', 'actor', 'correlationId'] as const;

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

function schemaProblem(event: RecordedEvent): string | null {
  const { type, schemaVersion, streamName } = event;
  if (typeof type !== 'string' || !Object.prototype.hasOwnProperty.call(EVENT_SHAPES, type)) return `unknown event type ${String(type)}`;
  if (schemaVersion !== EXPECTED_VERSIONS[type]) return `${type} at schema version ${String(schemaVersion)}, expected ${EXPECTED_VERSIONS[type]}`;
  const category = expectedCategory(type);
  const inStream = category === 'audit' ? streamName === AUDIT_CHECKPOINT_STREAM : streamName.startsWith(`${category}-`);
  if (!inStream) return `${type} does not belong in stream ${streamName}`;
  const shape = shapeProblem(event.data, EVENT_SHAPES[type as keyof typeof EVENT_SHAPES]);
  if (shape !== null) return `${type}: ${shape}`;
  const ids = streamIdProblem(category, streamName, event.data as Record<string, unknown>);
  if (ids !== null) return `${type}: ${ids}`;
  return metadataProblem(event);
}

function streamIdProblem(category: string, streamName: string, data: Record<string, unknown>): string | null {
  let expected: string | null = null;
  if (category === 'key' || category === 'keymaterial') expected = `${category}-${String(data.tenantId)}:${String(data.keyId)}`;
  if (category === 'breakglass') expected = `breakglass-${String(data.sessionId)}`;
  if (category === 'breaker') expected = `breaker-${String(data.name)}`;
  return expected === null || expected === streamName ? null : `data names ${expected}, stored in ${streamName}`;
}

function metadataProblem(event: RecordedEvent): string | null {
  const m = event.metadata;
  for (const field of METADATA_TEXT) if (typeof m[field] !== 'string' || m[field].length === 0) return `metadata.${field} is missing`;
  if (m.causationId !== null && typeof m.causationId !== 'string') return 'metadata.causationId is out of shape';
  if (typeof m.occurredAt !== 'string' || !Number.isFinite(Date.parse(m.occurredAt))) return 'metadata.occurredAt is not a timestamp';
  return null;
}
