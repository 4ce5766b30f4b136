import type { DomainEvent, IsoTimestamp } from '../shared/domain-event';
import type { KeyAlgorithm, KeyMaterialRef, KeyMode, KeyPurpose, RotationReason } from './key-types';

interface KeyEventBase {
  readonly tenantId: string;
  readonly keyId: string;
}

/** A tenant key came into being with its version 1 as primary. */
export type KeyCreated = DomainEvent<
  'KeyCreated',
  KeyEventBase & {
    readonly purpose: KeyPurpose;
    readonly algorithm: KeyAlgorithm;
    readonly provider: string;
    readonly mode: KeyMode;
    readonly rotationPeriodDays: number;
    readonly material: KeyMaterialRef;
    readonly createdAt: IsoTimestamp;
  }
>;

/** A new version was added and made primary; older versions still decrypt and verify. */
export type KeyRotated = DomainEvent<
  'KeyRotated',
  KeyEventBase & {
    readonly version: number;
    readonly previousPrimaryVersion: number;
    readonly reason: RotationReason;
    readonly material: KeyMaterialRef;
    readonly rotatedAt: IsoTimestamp;
  }
>;

export type KeyDisabled = DomainEvent<'KeyDisabled', KeyEventBase & { readonly disabledAt: IsoTimestamp }>;
export type KeyEnabled = DomainEvent<'KeyEnabled', KeyEventBase & { readonly enabledAt: IsoTimestamp }>;

export type KeyDeletionScheduled = DomainEvent<
  'KeyDeletionScheduled',
  KeyEventBase & {
    readonly pendingWindowDays: number;
    readonly scheduledAt: IsoTimestamp;
    readonly deleteAfter: IsoTimestamp;
  }
>;

/** Deletion was cancelled; as in AWS KMS the key comes back disabled. */
export type KeyDeletionCancelled = DomainEvent<
  'KeyDeletionCancelled',
  KeyEventBase & { readonly cancelledAt: IsoTimestamp }
>;

/** Terminal: the key accepts nothing more and its material stream may be deleted. */
export type KeyDestroyed = DomainEvent<'KeyDestroyed', KeyEventBase & { readonly destroyedAt: IsoTimestamp }>;

export type KeyMinDecryptionVersionSet = DomainEvent<
  'KeyMinDecryptionVersionSet',
  KeyEventBase & { readonly minDecryptionVersion: number; readonly setAt: IsoTimestamp }
>;

/** The lowest version encrypt, sign and MAC may name (`keyVersion`); 0 = only the primary. */
export type KeyMinEncryptionVersionSet = DomainEvent<
  'KeyMinEncryptionVersionSet',
  KeyEventBase & { readonly minEncryptionVersion: number; readonly setAt: IsoTimestamp }
>;

/**
 * The material of every version below `minAvailableVersion` was destroyed (crypto-shredding); those
 * versions stay in the key's history but nothing decrypts or verifies with them any more.
 */
export type KeyVersionsTrimmed = DomainEvent<
  'KeyVersionsTrimmed',
  KeyEventBase & {
    readonly minAvailableVersion: number;
    readonly previousMinAvailableVersion: number;
    readonly trimmedAt: IsoTimestamp;
  }
>;

/** How many newest versions the scheduler's nightly trim keeps; 0 = never trim automatically. */
export type KeyRetainVersionsSet = DomainEvent<
  'KeyRetainVersionsSet',
  KeyEventBase & { readonly retainVersions: number; readonly setAt: IsoTimestamp }
>;

export type KeyRotationPeriodChanged = DomainEvent<
  'KeyRotationPeriodChanged',
  KeyEventBase & { readonly rotationPeriodDays: number; readonly changedAt: IsoTimestamp }
>;

/**
 * A rotation attempt failed (provider error, open breaker); the key is unchanged and stays due.
 * `code` is the error's stable code, never its message; `runId` names the scheduler run.
 */
export type KeyRotationFailed = DomainEvent<
  'KeyRotationFailed',
  KeyEventBase & {
    readonly primaryVersion: number;
    readonly reason: RotationReason;
    readonly code: string;
    readonly runId: string;
    readonly failedAt: IsoTimestamp;
  }
>;

/** Every event of a key's lifecycle stream. */
export type KeyEvent =
  | KeyCreated
  | KeyRotated
  | KeyDisabled
  | KeyEnabled
  | KeyDeletionScheduled
  | KeyDeletionCancelled
  | KeyDestroyed
  | KeyMinDecryptionVersionSet
  | KeyRotationPeriodChanged
  | KeyRotationFailed
  | KeyMinEncryptionVersionSet
  | KeyVersionsTrimmed
  | KeyRetainVersionsSet;

export const KEY_EVENT_TYPES = [
  'KeyCreated',
  'KeyRotated',
  'KeyDisabled',
  'KeyEnabled',
  'KeyDeletionScheduled',
  'KeyDeletionCancelled',
  'KeyDestroyed',
  'KeyMinDecryptionVersionSet',
  'KeyRotationPeriodChanged',
  'KeyRotationFailed',
  'KeyMinEncryptionVersionSet',
  'KeyVersionsTrimmed',
  'KeyRetainVersionsSet',
] as const satisfies readonly KeyEvent['type'][];
