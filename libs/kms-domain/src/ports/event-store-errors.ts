import { KeyledgerError } from '../errors/keyledger-error';

/** How a caller states what it believes a stream's current revision to be (see EventStore#append). */
export type ExpectedRevision = 'no-stream' | 'stream-exists' | 'any' | number;

/** A stream's actual revision when a conflict is detected: the last revision, or no stream at all. */
export type ActualRevision = number | 'no-stream';

/**
 * The stream moved on since the caller read it (optimistic concurrency). Retry by re-reading the
 * stream and deciding again; the API maps this code to HTTP 409/412.
 */
export class WrongExpectedRevisionError extends KeyledgerError {
  readonly code = 'CONCURRENCY_CONFLICT';

  constructor(
    readonly streamName: string,
    readonly expected: ExpectedRevision,
    readonly actual: ActualRevision,
    options?: { cause?: unknown },
  ) {
    super(`stream ${streamName}: expected revision ${String(expected)}, actual ${String(actual)}`, options);
  }
}

/** A stream name that is empty, too long or holds characters outside the allowed set. */
export class InvalidStreamNameError extends KeyledgerError {
  readonly code = 'STREAM_NAME_INVALID';

  constructor(reason: string) {
    super(`invalid stream name: ${reason}`);
  }
}

/** An event type that is not a PascalCase identifier (past tense, aggregate-qualified by convention). */
export class InvalidEventTypeError extends KeyledgerError {
  readonly code = 'EVENT_TYPE_INVALID';

  constructor(reason: string) {
    super(`invalid event type: ${reason}`);
  }
}

/** Event data or metadata that cannot be stored: not plain JSON, or a metadata field out of shape. */
export class InvalidEventError extends KeyledgerError {
  readonly code = 'EVENT_INVALID';

  constructor(reason: string) {
    super(`invalid event: ${reason}`);
  }
}

/** One event's stored form exceeds the per-event size limit (1 MiB). */
export class EventTooLargeError extends KeyledgerError {
  readonly code = 'EVENT_TOO_LARGE';

  constructor(
    readonly eventType: string,
    readonly sizeBytes: number,
    readonly limitBytes: number,
  ) {
    super(`event ${eventType} is ${sizeBytes} bytes, over the ${limitBytes}-byte limit`);
  }
}

/** The stream was deleted (crypto-shredded); it can be neither appended to nor recreated. */
export class StreamDeletedError extends KeyledgerError {
  readonly code = 'STREAM_DELETED';

  constructor(readonly streamName: string) {
    super(`stream ${streamName} was deleted`);
  }
}

/**
 * A stored record cannot be decoded or contradicts its own columns. Reported with its global
 * position, never skipped: a store that silently drops records defeats the audit chain.
 */
export class StoreCorruptError extends KeyledgerError {
  readonly code = 'STORE_CORRUPT';

  constructor(
    readonly position: number,
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`corrupt event record at position ${position}: ${detail}`, options);
  }
}

/**
 * The store cannot be reached or refused the operation for an infrastructure reason. `transient`
 * says whether retrying later may succeed (busy, unavailable, deadline) or not (closed, denied).
 */
export class StoreUnavailableError extends KeyledgerError {
  readonly code = 'STORE_UNAVAILABLE';

  constructor(
    detail: string,
    readonly transient: boolean,
    options?: { cause?: unknown },
  ) {
    super(`event store unavailable: ${detail}`, options);
  }
}

/** Every error the event store port throws on purpose. */
export type EventStoreError =
  | WrongExpectedRevisionError
  | InvalidStreamNameError
  | InvalidEventTypeError
  | InvalidEventError
  | EventTooLargeError
  | StreamDeletedError
  | StoreCorruptError
  | StoreUnavailableError;

const EVENT_STORE_CODES: ReadonlySet<string> = new Set([
  'CONCURRENCY_CONFLICT',
  'STREAM_NAME_INVALID',
  'EVENT_TYPE_INVALID',
  'EVENT_INVALID',
  'EVENT_TOO_LARGE',
  'STREAM_DELETED',
  'STORE_CORRUPT',
  'STORE_UNAVAILABLE',
]);

/** Brand check on the stable code rather than `instanceof`, so it survives duplicated module copies. */
export function isEventStoreError(error: unknown): error is EventStoreError {
  return error instanceof Error && EVENT_STORE_CODES.has((error as { code?: unknown }).code as string);
}

/** True for an optimistic-concurrency conflict, the one store error a command handler retries. */
export function isConcurrencyConflict(error: unknown): error is WrongExpectedRevisionError {
  return isEventStoreError(error) && error.code === 'CONCURRENCY_CONFLICT';
}
