import type { IsoTimestamp } from '../shared/domain-event';
import { MS_PER_DAY, addMs, reached } from '../shared/time';
import type { KeyStatus } from './key-state';

/** What the policy needs of a key: a `KeyState` or a status view both fit. */
export type RotationSubject =
  | { readonly status: 'Enabled'; readonly rotationPeriodDays: number; readonly lastRotatedAt: IsoTimestamp }
  | { readonly status: Exclude<KeyStatus, 'Enabled'> };

export interface RotationPolicyOptions {
  /**
   * Days after the due date at which a rotation that has not happened counts as overdue. Default
   * 1: the nightly scheduler has had its chance.
   */
  readonly overdueAfterDays?: number;
}

export const DEFAULT_OVERDUE_AFTER_DAYS = 1;

/** Rotation outlook of one key at one moment. */
export interface RotationStatus {
  /** The key is Enabled; nothing else rotates. When false, every other field is false or null. */
  readonly applicable: boolean;
  /** `now` is at or past `nextDueAt`. */
  readonly due: boolean;
  /** `now` is at or past `overdueAt`. */
  readonly overdue: boolean;
  /** Primary version's creation plus the rotation period. */
  readonly nextDueAt: IsoTimestamp | null;
  readonly overdueAt: IsoTimestamp | null;
}

const NOT_APPLICABLE: RotationStatus = {
  applicable: false,
  due: false,
  overdue: false,
  nextDueAt: null,
  overdueAt: null,
};

/**
 * The rotation policy: an Enabled key is due once its primary version is `rotationPeriodDays`
 * old, and overdue `overdueAfterDays` later. Disabled, pending-deletion, destroyed and absent keys
 * are never due (they refuse rotation).
 */
export function rotationStatus(key: RotationSubject, now: Date, options: RotationPolicyOptions = {}): RotationStatus {
  if (key.status !== 'Enabled') return NOT_APPLICABLE;
  const grace = options.overdueAfterDays ?? DEFAULT_OVERDUE_AFTER_DAYS;
  const nextDueAt = addMs(key.lastRotatedAt, key.rotationPeriodDays * MS_PER_DAY);
  const overdueAt = addMs(nextDueAt, grace * MS_PER_DAY);
  return { applicable: true, due: reached(now, nextDueAt), overdue: reached(now, overdueAt), nextDueAt, overdueAt };
}
