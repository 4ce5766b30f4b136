import { KeyDeletionNotDueError, KeyPendingDeletionError } from '../errors/domain-errors';
import { MS_PER_DAY, addMs, reached, toIso } from '../shared/time';
import { requireInt } from '../shared/validation';
import type { CancelKeyDeletion, DestroyKey, DisableKey, EnableKey, ScheduleKeyDeletion } from './key-commands';
import type { KeyDeletionCancelled, KeyDeletionScheduled, KeyDestroyed, KeyDisabled, KeyEnabled } from './key-events';
import { keyIds, refuseTransition, requireLiveKey, requireModifiableKey } from './key-guards';
import type { KeyState } from './key-state';
import { DEFAULT_DELETION_WINDOW_DAYS, MAX_DELETION_WINDOW_DAYS, MIN_DELETION_WINDOW_DAYS } from './key-types';

/** Enabled → Disabled. */
export function disableKey(command: DisableKey, state: KeyState): KeyDisabled[] {
  const key = requireModifiableKey(state, command);
  if (key.status !== 'Enabled') refuseTransition(state, command, 'the key is already disabled');
  return [{ type: 'KeyDisabled', schemaVersion: 1, data: { ...keyIds(key), disabledAt: toIso(command.now) } }];
}

/** Disabled → Enabled; a key pending deletion must have its deletion cancelled first. */
export function enableKey(command: EnableKey, state: KeyState): KeyEnabled[] {
  const key = requireLiveKey(state, command);
  if (key.status === 'PendingDeletion') throw new KeyPendingDeletionError(command, key.deleteAfter);
  if (key.status !== 'Disabled') refuseTransition(state, command, 'the key is already enabled');
  return [{ type: 'KeyEnabled', schemaVersion: 1, data: { ...keyIds(key), enabledAt: toIso(command.now) } }];
}

/** Enabled or Disabled → PendingDeletion for a 7..30-day window (default 30). */
export function scheduleKeyDeletion(command: ScheduleKeyDeletion, state: KeyState): KeyDeletionScheduled[] {
  const key = requireModifiableKey(state, command);
  const days = requireInt(
    'pendingWindowDays',
    command.pendingWindowDays ?? DEFAULT_DELETION_WINDOW_DAYS,
    MIN_DELETION_WINDOW_DAYS,
    MAX_DELETION_WINDOW_DAYS,
  );
  const scheduledAt = toIso(command.now);
  return [
    {
      type: 'KeyDeletionScheduled',
      schemaVersion: 1,
      data: { ...keyIds(key), pendingWindowDays: days, scheduledAt, deleteAfter: addMs(scheduledAt, days * MS_PER_DAY) },
    },
  ];
}

/** PendingDeletion → Disabled. */
export function cancelKeyDeletion(command: CancelKeyDeletion, state: KeyState): KeyDeletionCancelled[] {
  const key = requireLiveKey(state, command);
  if (key.status !== 'PendingDeletion') refuseTransition(state, command, 'no deletion is scheduled');
  return [
    { type: 'KeyDeletionCancelled', schemaVersion: 1, data: { ...keyIds(key), cancelledAt: toIso(command.now) } },
  ];
}

/** PendingDeletion → Destroyed, only once `deleteAfter` has passed. */
export function destroyKey(command: DestroyKey, state: KeyState): KeyDestroyed[] {
  const key = requireLiveKey(state, command);
  if (key.status !== 'PendingDeletion') return refuseTransition(state, command, 'schedule deletion first');
  if (!reached(command.now, key.deleteAfter)) throw new KeyDeletionNotDueError(command, key.deleteAfter);
  return [{ type: 'KeyDestroyed', schemaVersion: 1, data: { ...keyIds(key), destroyedAt: toIso(command.now) } }];
}
