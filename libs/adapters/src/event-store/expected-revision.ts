import { ActualRevision, ExpectedRevision, InvalidEventError, WrongExpectedRevisionError } from '@keyledger/kms-domain';

/** Throws EVENT_INVALID for an expected revision that is neither a keyword nor a non-negative integer. */
export function assertValidExpectedRevision(expected: unknown): asserts expected is ExpectedRevision {
  if (expected === 'any' || expected === 'no-stream' || expected === 'stream-exists') return;
  if (typeof expected === 'number' && Number.isSafeInteger(expected) && expected >= 0) return;
  throw new InvalidEventError('expectedRevision must be any, no-stream, stream-exists or a non-negative integer');
}

/** True when a stream at `actual` satisfies `expected`. */
export function revisionMatches(expected: ExpectedRevision, actual: ActualRevision): boolean {
  switch (expected) {
    case 'any':
      return true;
    case 'no-stream':
      return actual === 'no-stream';
    case 'stream-exists':
      return actual !== 'no-stream';
    default:
      return actual === expected;
  }
}

/** Throws CONCURRENCY_CONFLICT (with both revisions) unless `actual` satisfies `expected`. */
export function checkExpectedRevision(streamName: string, expected: ExpectedRevision, actual: ActualRevision): void {
  if (!revisionMatches(expected, actual)) throw new WrongExpectedRevisionError(streamName, expected, actual);
}
