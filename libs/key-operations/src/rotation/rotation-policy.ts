import { rotationStatus, type ExistingKeyState, type RotationStatus } from '@keyledger/kms-domain';

/**
 * The rotation outlook of a key under a fleet-wide maximum age: the key's own period applies
 * when it is shorter than `maxAgeDays`, else `maxAgeDays` does (KMS_ROTATION_MAX_AGE_DAYS).
 */
export function effectiveRotationStatus(key: ExistingKeyState, now: Date, maxAgeDays?: number): RotationStatus {
  if (key.status !== 'Enabled') return rotationStatus(key, now);
  const period = maxAgeDays === undefined ? key.rotationPeriodDays : Math.min(key.rotationPeriodDays, maxAgeDays);
  return rotationStatus({ status: 'Enabled', rotationPeriodDays: period, lastRotatedAt: key.lastRotatedAt }, now);
}

/** Enabled keys of `keys` that are overdue at `now` under `maxAgeDays` (the overdue gauge). */
export function countOverdue(keys: Iterable<ExistingKeyState>, now: Date, maxAgeDays?: number): number {
  let overdue = 0;
  for (const key of keys) if (effectiveRotationStatus(key, now, maxAgeDays).overdue) overdue++;
  return overdue;
}

const ERROR_CODE = /^[A-Z][A-Z0-9_]{0,63}$/;

/** The stable code of an error, or `UNEXPECTED` (never its message: it may carry provider details). */
export function errorCodeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && ERROR_CODE.test(code) ? code : 'UNEXPECTED';
}
