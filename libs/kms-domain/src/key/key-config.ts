import { KeyDisabledError } from '../errors/domain-errors';
import { toIso } from '../shared/time';
import { requireInt, requireOneOf } from '../shared/validation';
import type { ChangeRotationPeriod, RotateKey, SetMinDecryptionVersion } from './key-commands';
import type { KeyMinDecryptionVersionSet, KeyRotated, KeyRotationPeriodChanged } from './key-events';
import { keyIds, requireMaterial, requireModifiableKey } from './key-guards';
import type { KeyState } from './key-state';
import { MAX_ROTATION_PERIOD_DAYS, MIN_ROTATION_PERIOD_DAYS, ROTATION_REASONS } from './key-types';

/** Adds the next version and makes it primary; a disabled key cannot rotate. */
export function rotateKey(command: RotateKey, state: KeyState): KeyRotated[] {
  const key = requireModifiableKey(state, command);
  if (key.status === 'Disabled') throw new KeyDisabledError(command, 'rotate');
  const reason = requireOneOf('reason', command.reason, ROTATION_REASONS);
  const data = {
    ...keyIds(key),
    version: key.versions.length + 1,
    previousPrimaryVersion: key.primaryVersion,
    reason,
    material: requireMaterial(command.material, key.mode),
    rotatedAt: toIso(command.now),
  };
  return [{ type: 'KeyRotated', schemaVersion: 1, data }];
}

/** Sets the lowest version accepted for decrypt and verify, 1..primary. */
export function setMinDecryptionVersion(
  command: SetMinDecryptionVersion,
  state: KeyState,
): KeyMinDecryptionVersionSet[] {
  const key = requireModifiableKey(state, command);
  const min = requireInt('minDecryptionVersion', command.minDecryptionVersion, 1, key.primaryVersion);
  return [
    {
      type: 'KeyMinDecryptionVersionSet',
      schemaVersion: 1,
      data: { ...keyIds(key), minDecryptionVersion: min, setAt: toIso(command.now) },
    },
  ];
}

/** Changes the rotation period, 1..3650 days. */
export function changeRotationPeriod(command: ChangeRotationPeriod, state: KeyState): KeyRotationPeriodChanged[] {
  const key = requireModifiableKey(state, command);
  const days = requireInt(
    'rotationPeriodDays',
    command.rotationPeriodDays,
    MIN_ROTATION_PERIOD_DAYS,
    MAX_ROTATION_PERIOD_DAYS,
  );
  return [
    {
      type: 'KeyRotationPeriodChanged',
      schemaVersion: 1,
      data: { ...keyIds(key), rotationPeriodDays: days, changedAt: toIso(command.now) },
    },
  ];
}
