import {
  ExpectedRevision,
  InvalidEventTypeError,
  InvalidStreamNameError,
} from './event-store-errors';

export * from './event-store-errors';

/** Largest stored form of one event, in bytes (data plus envelope, as canonical JSON). */
export const EVENT_SIZE_LIMIT_BYTES = 1_048_576;

/** `prevHash` of the first event in every stream: 64 zeros (a SHA-256 hex digest of nothing known). */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * Who, when, why of one event, supplied by the caller: ids and time come in with the command so
 * the domain stays free of clocks and randomness. `causationId` is the event or command that
 * caused this one, when there is one.
 */
export interface EventContext {
  readonly eventId: string;
  readonly occurredAt: string;
  readonly actor: string;
  readonly correlationId: string;
  readonly causationId: string | null;
}

/** An event on its way into the store: a domain event (type, schema version, JSON data) plus its context. */
export interface NewEvent {
  readonly type: string;
  readonly schemaVersion: number;
  /** A plain JSON object; never key material or plaintext. */
  readonly data: object;
  readonly metadata: EventContext;
}

/**
 * Stored metadata: the context plus the event's type and schema version, and the integrity chain.
 * `hash` = SHA-256 over `prevHash` and the canonical form of the event; `prevHash` is the hash
 * of the previous event of the same stream, or GENESIS_HASH for revision 0.
 */
export interface RecordedMetadata extends EventContext {
  readonly type: string;
  readonly schemaVersion: number;
  readonly prevHash: string;
  readonly hash: string;
}

/** An event as read back: where it sits (stream revision from 0, global position from 1) and what it says. */
export interface RecordedEvent {
  readonly streamName: string;
  readonly revision: number;
  readonly position: number;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: unknown;
  readonly metadata: RecordedMetadata;
}

/** Outcome of an append: revision and global position of the last event written. */
export interface AppendResult {
  readonly revision: number;
  readonly position: number;
}

/** Options for EventStore#append; `expectedRevision` defaults to `any`. */
export interface AppendOptions {
  readonly expectedRevision?: ExpectedRevision;
}

/** Forward read of one stream from `fromRevision` (default 0), at most `maxCount` events. */
export interface ReadStreamOptions {
  readonly fromRevision?: number;
  readonly maxCount?: number;
}

/** Forward read of all streams for events with a global position strictly after `after` (default 0). */
export interface ReadAllOptions {
  readonly after?: number;
  readonly maxCount?: number;
}

/**
 * A catch-up subscription: yields every event after the start position in global order, then
 * live events as they are committed, until `stop()` is called (the iteration then ends).
 */
export interface Subscription extends AsyncIterable<RecordedEvent> {
  stop(): Promise<void>;
}

/**
 * The event store port. Every state change in keyledger is appended here and every status view
 * is folded from what it returns. Adapters: in-memory, embedded SQLite, EventStoreDB; all pass
 * one contract suite. Errors are the typed errors of `event-store-errors`.
 */
export interface EventStore {
  /** Appends events atomically; CONCURRENCY_CONFLICT when the expected revision does not hold. */
  append(streamName: string, events: readonly NewEvent[], options?: AppendOptions): Promise<AppendResult>;
  /**
   * Reads one stream forwards; an unknown or deleted stream reads as empty. One call returns at
   * most `maxCount` events and never more than an adapter's cap (10,000): to load a whole stream
   * that may grow past it, use `readWholeStream`.
   */
  readStream(streamName: string, options?: ReadStreamOptions): Promise<readonly RecordedEvent[]>;
  /** Reads all streams forwards in global order. */
  readAll(options?: ReadAllOptions): Promise<readonly RecordedEvent[]>;
  /** Global position of the newest event, 0 when the store is empty. */
  headPosition(): Promise<number>;
  /** Catch up from `after` (default 0), then follow live appends until stopped. */
  subscribe(options?: { readonly after?: number }): Subscription;
  /** Deletes a stream for good (crypto-shredding); later appends fail with STREAM_DELETED. */
  deleteStream(streamName: string): Promise<void>;
  /** Releases connections and files; pending operations finish first. */
  close(): Promise<void>;
}

const STREAM_NAME = /^[A-Za-z][A-Za-z0-9._~%:-]*$/;
const STREAM_NAME_MAX = 512;
const CATEGORY = /^[a-z][A-Za-z0-9]*$/;
const EVENT_TYPE = /^[A-Z][A-Za-z0-9]*$/;
const EVENT_TYPE_MAX = 100;

/**
 * Throws STREAM_NAME_INVALID unless the name starts with a letter and holds only letters, digits
 * and `.`, `_`, `~`, `%`, `:`, `-` (at most 512 characters): no `/`, `$`, spaces or control characters.
 */
export function assertValidStreamName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.length === 0) throw new InvalidStreamNameError('must be a non-empty string');
  if (name.length > STREAM_NAME_MAX) throw new InvalidStreamNameError(`longer than ${STREAM_NAME_MAX} characters`);
  if (!STREAM_NAME.test(name)) {
    throw new InvalidStreamNameError('must start with a letter and use only A-Z a-z 0-9 . _ ~ % : -');
  }
}

/** Throws EVENT_TYPE_INVALID unless the type is a PascalCase identifier of at most 100 characters. */
export function assertValidEventType(type: unknown): asserts type is string {
  if (typeof type !== 'string' || type.length === 0) throw new InvalidEventTypeError('must be a non-empty string');
  if (type.length > EVENT_TYPE_MAX) throw new InvalidEventTypeError(`longer than ${EVENT_TYPE_MAX} characters`);
  if (!EVENT_TYPE.test(type)) throw new InvalidEventTypeError('must be PascalCase letters and digits, e.g. KeyRotated');
}

/**
 * Builds `category-id` from a fixed camelCase category and a user-supplied id, percent-encoding
 * every id character outside `A-Z a-z 0-9 . _ ~` so no separator or control character from user
 * input reaches a stream name unescaped. Inverse: decodeStreamId.
 */
export function toStreamName(category: string, id: string): string {
  if (!CATEGORY.test(category)) throw new InvalidStreamNameError('category must be camelCase letters and digits');
  if (typeof id !== 'string' || id.length === 0) throw new InvalidStreamNameError('id must be a non-empty string');
  let escaped: string;
  try {
    escaped = escapeId(id);
  } catch {
    throw new InvalidStreamNameError('id is not well-formed Unicode');
  }
  const name = `${category}-${escaped}`;
  assertValidStreamName(name);
  return name;
}

/** The original id of a stream built by toStreamName. */
export function decodeStreamId(streamName: string): string {
  const dash = streamName.indexOf('-');
  return decodeURIComponent(dash < 0 ? '' : streamName.slice(dash + 1));
}

function escapeId(id: string): string {
  let out = '';
  for (const ch of id) {
    if (/^[A-Za-z0-9._~]$/.test(ch)) out += ch;
    else out += encodeURIComponent(ch).replace(/[!'()*-]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  }
  return out;
}

/** Events per read when `readWholeStream` pages through a stream. */
export const WHOLE_STREAM_PAGE = 1000;

/**
 * Every event of a stream, read page by page from revision 0 (a single `readStream` call stops at
 * the adapter's cap, which a long-lived stream, a flapping breaker's say, can pass).
 */
export async function readWholeStream(store: Pick<EventStore, 'readStream'>, streamName: string, pageSize = WHOLE_STREAM_PAGE): Promise<readonly RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for (;;) {
    const page = await store.readStream(streamName, { fromRevision: events.length === 0 ? 0 : events[events.length - 1].revision + 1, maxCount: pageSize });
    for (const event of page) events.push(event);
    if (page.length < pageSize) return events;
  }
}
