import { toIso } from '../shared/time';
import { KeyDisabledError, ValidationError } from '../errors/domain-errors';
import { requireId, requireInt, requireOneOf } from '../shared/validation';
import type { ChangeRotationPeriod, RecordKeyRotationFailure, RotateKey, SetMinDecryptionVersion } from './key-commands';
import type { KeyMinDecryptionVersionSet, KeyRotated, KeyRotationFailed, KeyRotationPeriodChanged } from './key-events';
import { keyIds, requireMaterial, requireModifiableKey } from './key-guards';
import type { KeyState } from './key-state';
import { MAX_ROTATION_PERIOD_DAYS, MIN_ROTATION_PERIOD_DAYS, ROTATION_REASONS, type RotationReason } from './key-types';

/** What a RotateKey that passed its guards will record, apart from the material: the new version's number and the key. */
export interface RotateKeyPlan {
  readonly key: Extract<KeyState, { status: 'Enabled' }>;
  readonly version: number;
  readonly reason: RotationReason;
}

/** The guards of RotateKey, everything but the material: only an Enabled key rotates, for a known reason. */
export function checkRotateKey(command: Omit<RotateKey, 'material'>, state: KeyState): RotateKeyPlan {
  const key = requireModifiableKey(state, command);
  if (key.status === 'Disabled') throw new KeyDisabledError(command, 'rotate');
  const reason = requireOneOf('reason', command.reason, ROTATION_REASONS);
  return { key, version: key.versions.length + 1, reason };
}

/** Adds the next version and makes it primary; a disabled key cannot rotate. */
export function rotateKey(command: RotateKey, state: KeyState): KeyRotated[] {
  const { key, version, reason } = checkRotateKey(command, state);
  const data = {
    ...keyIds(key),
    version,
    previousPrimaryVersion: key.primaryVersion,
    reason,
    material: requireMaterial(command.material, key.mode),
    rotatedAt: toIso(command.now),
  };
  return [{ type: 'KeyRotated', schemaVersion: 1, data }];
}

/** Sets the lowest version accepted for decrypt and verify, minAvailableVersion..primary (and ≤ a set minEncryptionVersion). */
export function setMinDecryptionVersion(
  command: SetMinDecryptionVersion,
  state: KeyState,
): KeyMinDecryptionVersionSet[] {
  const key = requireModifiableKey(state, command);
  const min = requireInt('minDecryptionVersion', command.minDecryptionVersion, key.minAvailableVersion, key.primaryVersion);
  if (key.minEncryptionVersion !== 0 && min > key.minEncryptionVersion) {
    throw new ValidationError('minDecryptionVersion', `expected at most minEncryptionVersion ${key.minEncryptionVersion}; raise that first`);
  }
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

const ERROR_CODE_PATTERN = /^[A-Z][A-Z0-9_]{0,63}$/;

/** Records a failed rotation of an Enabled key; the state does not change, so the key stays due. */
export function recordKeyRotationFailure(command: RecordKeyRotationFailure, state: KeyState): KeyRotationFailed[] {
  const key = requireModifiableKey(state, command);
  if (key.status === 'Disabled') throw new KeyDisabledError(command, 'rotate');
  const reason = requireOneOf('reason', command.reason, ROTATION_REASONS);
  if (typeof command.code !== 'string' || !ERROR_CODE_PATTERN.test(command.code)) {
    throw new ValidationError('code', 'expected an upper snake case error code of 1..64 characters');
  }
  const data = {
    ...keyIds(key),
    primaryVersion: key.primaryVersion,
    reason,
    code: command.code,
    runId: requireId('runId', command.runId),
    failedAt: toIso(command.now),
  };
  return [{ type: 'KeyRotationFailed', schemaVersion: 1, data }];
}
