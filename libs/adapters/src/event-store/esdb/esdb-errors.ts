import { ErrorType, isCommandError } from '@eventstore/db-client';
import {
  ActualRevision,
  EventTooLargeError,
  ExpectedRevision,
  StoreUnavailableError,
  StreamDeletedError,
  WrongExpectedRevisionError,
  isEventStoreError,
} from '@keyledger/kms-domain';

const TRANSIENT: ReadonlySet<string> = new Set([ErrorType.UNAVAILABLE, ErrorType.DEADLINE_EXCEEDED, ErrorType.TIMEOUT, ErrorType.NOT_LEADER, ErrorType.CANCELLED]);

/** True for the client's wrong-expected-version failure (a lost optimistic-concurrency race). */
export function isWrongExpectedVersion(error: unknown): boolean {
  return error instanceof Error && isCommandError(error) && error.type === ErrorType.WRONG_EXPECTED_VERSION;
}

/** The actual revision an ESDB wrong-expected-version error reports, in the port's terms. */
export function actualRevisionOf(error: unknown): ActualRevision {
  const actual = (error as { actualVersion?: unknown }).actualVersion;
  return typeof actual === 'bigint' ? Number(actual) : 'no-stream';
}

/**
 * Translates @eventstore/db-client failures into the port's typed errors, so nothing
 * vendor-shaped leaks upward: wrong version → CONCURRENCY_CONFLICT, stream deleted →
 * STREAM_DELETED, unavailable/deadline/not-leader → STORE_UNAVAILABLE (transient), the rest →
 * STORE_UNAVAILABLE (not transient).
 */
export function mapEsdbError(error: unknown, streamName: string, expected: ExpectedRevision = 'any'): Error {
  if (isEventStoreError(error)) return error;
  if (!(error instanceof Error) || !isCommandError(error)) {
    const code = (error as { code?: unknown })?.code;
    return new StoreUnavailableError(`eventstoredb call failed${typeof code === 'number' ? ` (grpc ${code})` : ''}`, code === 14 || code === 4, { cause: error });
  }
  switch (error.type) {
    case ErrorType.WRONG_EXPECTED_VERSION:
      return new WrongExpectedRevisionError(streamName, expected, actualRevisionOf(error), { cause: error });
    case ErrorType.STREAM_DELETED:
      return new StreamDeletedError(streamName);
    case ErrorType.MAXIMUM_APPEND_SIZE_EXCEEDED:
      return new EventTooLargeError('append', -1, (error as { maxAppendSize?: number }).maxAppendSize ?? -1);
    default:
      return new StoreUnavailableError(`eventstoredb ${error.type}`, TRANSIENT.has(error.type), { cause: error });
  }
}
