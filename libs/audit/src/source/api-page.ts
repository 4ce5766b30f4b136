import type { RecordedEvent } from '@keyledger/kms-domain';
import { AuditFormatError } from '../audit-errors';

/** One page of `GET /v1/audit/events` as the API source reads it (`leafIndex` dropped). */
export interface ApiEventsPage {
  readonly events: readonly RecordedEvent[];
  readonly nextPosition: number | null;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const whole = (v: unknown, min: number): v is number => Number.isSafeInteger(v) && (v as number) >= min;

/**
 * Parses one page's body: `{events: [...], nextPosition}`. Only what places an event and links its
 * chain is required here (position, stream, revision, metadata with prevHash and hash); anything
 * else wrong with an event is the replay's finding, as for a JSONL line. `where` names the page in
 * errors (AUDIT_FORMAT_INVALID).
 */
export function parseEventsPage(text: string, where: string): ApiEventsPage {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AuditFormatError(`${where} is not JSON`);
  }
  if (!isObject(value) || !Array.isArray(value.events)) throw new AuditFormatError(`${where} is not a page of events ({events, nextPosition})`);
  const next = value.nextPosition;
  if (next !== null && !whole(next, 1)) throw new AuditFormatError(`${where} has no valid nextPosition (a position or null)`);
  return { events: value.events.map((e, i) => eventOf(e, i, where)), nextPosition: next };
}

function eventOf(value: unknown, index: number, where: string): RecordedEvent {
  const bad = (what: string) => new AuditFormatError(`${where}: event ${index} ${what}`);
  if (!isObject(value)) throw bad('is not an object');
  if (!whole(value.position, 1)) throw bad('has no valid position');
  if (!whole(value.revision, 0)) throw bad('has no valid revision');
  if (typeof value.streamName !== 'string' || value.streamName === '') throw bad('has no streamName');
  const m = value.metadata;
  if (!isObject(m) || typeof m.prevHash !== 'string' || typeof m.hash !== 'string') throw bad('has no metadata with prevHash and hash');
  // The exported event is the port's RecordedEvent: the API's leafIndex is not part of it.
  return { streamName: value.streamName, revision: value.revision, position: value.position, type: value.type as string, schemaVersion: value.schemaVersion as number, data: value.data, metadata: m as unknown as RecordedEvent['metadata'] };
}
