import { ValidationError } from '../errors/domain-errors';
import { toIso } from '../shared/time';
import { requireInt } from '../shared/validation';
import type { SetMinEncryptionVersion, SetRetainVersions, TrimKeyVersions } from './key-commands';
import type { KeyMinEncryptionVersionSet, KeyRetainVersionsSet, KeyVersionsTrimmed } from './key-events';
import { keyIds, requireModifiableKey } from './key-guards';
import { encryptionFloor, type KeyData, type KeyState } from './key-state';

/** Upper bound of `retainVersions` (a key keeps at most this many versions by policy). */
export const MAX_RETAIN_VERSIONS = 1000;

/** Sets the lowest version encrypt/sign/MAC may name: 0 (only the primary) or minDecryptionVersion..primary. */
export function setMinEncryptionVersion(command: SetMinEncryptionVersion, state: KeyState): KeyMinEncryptionVersionSet[] {
  const key = requireModifiableKey(state, command);
  const min = requireInt('minEncryptionVersion', command.minEncryptionVersion, 0, key.primaryVersion);
  if (min !== 0 && min < key.minDecryptionVersion) {
    throw new ValidationError('minEncryptionVersion', `expected 0 (primary only) or at least minDecryptionVersion ${key.minDecryptionVersion}`);
  }
  return [{ type: 'KeyMinEncryptionVersionSet', schemaVersion: 1, data: { ...keyIds(key), minEncryptionVersion: min, setAt: toIso(command.now) } }];
}

/**
 * Destroys every version below `minAvailableVersion`: it must be above the current one and at most
 * both minimums (minDecryptionVersion, and the encryption floor), so no version still in use goes.
 */
export function trimKeyVersions(command: TrimKeyVersions, state: KeyState): KeyVersionsTrimmed[] {
  const key = requireModifiableKey(state, command);
  const ceiling = Math.min(key.minDecryptionVersion, encryptionFloor(key));
  if (ceiling <= key.minAvailableVersion) {
    throw new ValidationError('minAvailableVersion', `nothing to trim: raise minDecryptionVersion (and minEncryptionVersion) above ${key.minAvailableVersion} first`);
  }
  const min = requireInt('minAvailableVersion', command.minAvailableVersion, key.minAvailableVersion + 1, ceiling);
  const data = { ...keyIds(key), minAvailableVersion: min, previousMinAvailableVersion: key.minAvailableVersion, trimmedAt: toIso(command.now) };
  return [{ type: 'KeyVersionsTrimmed', schemaVersion: 1, data }];
}

/** Sets how many newest versions the nightly trim keeps: 0 (off) or 1..MAX_RETAIN_VERSIONS. */
export function setRetainVersions(command: SetRetainVersions, state: KeyState): KeyRetainVersionsSet[] {
  const key = requireModifiableKey(state, command);
  const retain = requireInt('retainVersions', command.retainVersions, 0, MAX_RETAIN_VERSIONS);
  return [{ type: 'KeyRetainVersionsSet', schemaVersion: 1, data: { ...keyIds(key), retainVersions: retain, setAt: toIso(command.now) } }];
}

/**
 * The `minAvailableVersion` the nightly trim would set per `retainVersions`, or null when it has
 * nothing to do: keep the newest `retainVersions`, never past either minimum.
 */
export function retentionTrimTarget(key: KeyData): number | null {
  if (key.retainVersions <= 0) return null;
  const target = Math.min(key.primaryVersion - key.retainVersions + 1, key.minDecryptionVersion, encryptionFloor(key));
  return target > key.minAvailableVersion ? target : null;
}
