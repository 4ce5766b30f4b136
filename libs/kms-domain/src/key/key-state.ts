import type { IsoTimestamp } from '../shared/domain-event';
import { assertNever } from '../shared/assert-never';
import type { KeyEvent } from './key-events';
import type { KeyAlgorithm, KeyMode, KeyPurpose, KeyVersion } from './key-types';

/** Everything known about a key once it exists. */
export interface KeyData {
  readonly tenantId: string;
  readonly keyId: string;
  readonly purpose: KeyPurpose;
  readonly algorithm: KeyAlgorithm;
  readonly provider: string;
  readonly mode: KeyMode;
  readonly rotationPeriodDays: number;
  readonly versions: readonly KeyVersion[];
  readonly primaryVersion: number;
  /** Lowest version still accepted for decrypt and verify. */
  readonly minDecryptionVersion: number;
  /** Lowest version encrypt/sign/MAC may name; 0 = only the primary (see `encryptionFloor`). */
  readonly minEncryptionVersion: number;
  /** Versions below it were trimmed: their material is destroyed. 1 = none trimmed. */
  readonly minAvailableVersion: number;
  /** Newest versions the nightly trim keeps; 0 = no automatic trim. */
  readonly retainVersions: number;
  readonly createdAt: IsoTimestamp;
  /** Creation time of the primary version. */
  readonly lastRotatedAt: IsoTimestamp;
}

/** A key's state, keyed on status (`Absent` = no events yet). */
export type KeyState =
  | { readonly status: 'Absent' }
  | (KeyData & { readonly status: 'Enabled' })
  | (KeyData & { readonly status: 'Disabled' })
  | (KeyData & { readonly status: 'PendingDeletion'; readonly deleteAfter: IsoTimestamp })
  | (KeyData & { readonly status: 'Destroyed'; readonly destroyedAt: IsoTimestamp });

export type KeyStatus = KeyState['status'];
export type ExistingKeyState = Exclude<KeyState, { status: 'Absent' }>;

export const initialKeyState = (): KeyState => ({ status: 'Absent' });

/** Strips the status-specific fields, keeping the key's data. */
function dataOf(state: ExistingKeyState): KeyData {
  const { tenantId, keyId, purpose, algorithm, provider, mode, rotationPeriodDays } = state;
  const { versions, primaryVersion, minDecryptionVersion, createdAt, lastRotatedAt } = state;
  const { minEncryptionVersion, minAvailableVersion, retainVersions } = state;
  return {
    tenantId,
    keyId,
    purpose,
    algorithm,
    provider,
    mode,
    rotationPeriodDays,
    versions,
    primaryVersion,
    minDecryptionVersion,
    minEncryptionVersion,
    minAvailableVersion,
    retainVersions,
    createdAt,
    lastRotatedAt,
  };
}

/** The lowest version encrypt/sign/MAC accept: `minEncryptionVersion`, or the primary when it is 0. */
export function encryptionFloor(key: KeyData): number {
  return key.minEncryptionVersion === 0 ? key.primaryVersion : key.minEncryptionVersion;
}

/** Applies `change` to an existing key; events for a key that does not exist are ignored. */
function update(state: KeyState, change: (current: ExistingKeyState) => KeyState): KeyState {
  return state.status === 'Absent' ? state : change(state);
}

/** Folds one lifecycle event into the key's state. Events are facts: evolve never refuses one. */
export function evolveKey(state: KeyState, event: KeyEvent): KeyState {
  switch (event.type) {
    case 'KeyCreated': {
      const { material, createdAt, ...rest } = event.data;
      return {
        ...rest,
        status: 'Enabled',
        versions: [{ version: 1, createdAt, material }],
        primaryVersion: 1,
        minDecryptionVersion: 1,
        minEncryptionVersion: 0,
        minAvailableVersion: 1,
        retainVersions: 0,
        createdAt,
        lastRotatedAt: createdAt,
      };
    }
    case 'KeyRotated': {
      const { version, material, rotatedAt } = event.data;
      return update(state, (s) => ({
        ...s,
        versions: [...s.versions, { version, createdAt: rotatedAt, material }],
        primaryVersion: version,
        lastRotatedAt: rotatedAt,
      }));
    }
    case 'KeyDisabled':
    case 'KeyDeletionCancelled':
      return update(state, (s) => ({ ...dataOf(s), status: 'Disabled' }));
    case 'KeyEnabled':
      return update(state, (s) => ({ ...dataOf(s), status: 'Enabled' }));
    case 'KeyDeletionScheduled':
      return update(state, (s) => ({ ...dataOf(s), status: 'PendingDeletion', deleteAfter: event.data.deleteAfter }));
    case 'KeyDestroyed':
      return update(state, (s) => ({ ...dataOf(s), status: 'Destroyed', destroyedAt: event.data.destroyedAt }));
    case 'KeyMinDecryptionVersionSet':
      return update(state, (s) => ({ ...s, minDecryptionVersion: event.data.minDecryptionVersion }));
    case 'KeyRotationPeriodChanged':
      return update(state, (s) => ({ ...s, rotationPeriodDays: event.data.rotationPeriodDays }));
    case 'KeyMinEncryptionVersionSet':
      return update(state, (s) => ({ ...s, minEncryptionVersion: event.data.minEncryptionVersion }));
    case 'KeyVersionsTrimmed':
      return update(state, (s) => ({ ...s, minAvailableVersion: event.data.minAvailableVersion }));
    case 'KeyRetainVersionsSet':
      return update(state, (s) => ({ ...s, retainVersions: event.data.retainVersions }));
    case 'KeyRotationFailed':
      return state;
    default:
      return assertNever(event, 'key event');
  }
}
