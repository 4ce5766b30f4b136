import { InvalidEventError } from '@keyledger/kms-domain';

/** Largest page a single read returns, whatever the caller asks for. */
export const MAX_READ_COUNT = 10_000;

/** Validated `maxCount`: a positive integer, capped at MAX_READ_COUNT (default). */
export function readLimit(maxCount: number | undefined): number {
  if (maxCount === undefined) return MAX_READ_COUNT;
  if (!Number.isSafeInteger(maxCount) || maxCount < 1) throw new InvalidEventError('maxCount must be a positive integer');
  return Math.min(maxCount, MAX_READ_COUNT);
}

/** Validated `after` position (default 0). */
export function startAfter(after: number | undefined): number {
  if (after === undefined) return 0;
  if (!Number.isSafeInteger(after) || after < 0) throw new InvalidEventError('after must be a non-negative integer');
  return after;
}

/** Validated `fromRevision` (default 0). */
export function startRevision(fromRevision: number | undefined): number {
  if (fromRevision === undefined) return 0;
  if (!Number.isSafeInteger(fromRevision) || fromRevision < 0) throw new InvalidEventError('fromRevision must be a non-negative integer');
  return fromRevision;
}
