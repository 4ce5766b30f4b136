import type { KeyAlgorithm, KeyMaterialRef, KeyMode, KeyPurpose, RotationReason } from './key-types';

interface KeyCommandBase {
  readonly tenantId: string;
  readonly keyId: string;
  /** The moment the command is decided; supplied by the caller's clock. */
  readonly now: Date;
}

export interface CreateKey extends KeyCommandBase {
  readonly type: 'CreateKey';
  readonly purpose: KeyPurpose;
  /** Defaults to `ECDSA_P256_SHA256` for `sign`, `AES_256_GCM` for `encrypt`. */
  readonly algorithm?: KeyAlgorithm;
  readonly provider: string;
  readonly mode: KeyMode;
  /** 1..3650, default 90. */
  readonly rotationPeriodDays?: number;
  readonly material: KeyMaterialRef;
}

export interface RotateKey extends KeyCommandBase {
  readonly type: 'RotateKey';
  readonly reason: RotationReason;
  readonly material: KeyMaterialRef;
}

export interface DisableKey extends KeyCommandBase {
  readonly type: 'DisableKey';
}

export interface EnableKey extends KeyCommandBase {
  readonly type: 'EnableKey';
}

export interface ScheduleKeyDeletion extends KeyCommandBase {
  readonly type: 'ScheduleKeyDeletion';
  /** 7..30 days, default 30 (as AWS KMS). */
  readonly pendingWindowDays?: number;
}

export interface CancelKeyDeletion extends KeyCommandBase {
  readonly type: 'CancelKeyDeletion';
}

export interface DestroyKey extends KeyCommandBase {
  readonly type: 'DestroyKey';
}

export interface SetMinDecryptionVersion extends KeyCommandBase {
  readonly type: 'SetMinDecryptionVersion';
  /** 1..primary version. */
  readonly minDecryptionVersion: number;
}

export interface SetMinEncryptionVersion extends KeyCommandBase {
  readonly type: 'SetMinEncryptionVersion';
  /** 0 (only the primary) or minDecryptionVersion..primary. */
  readonly minEncryptionVersion: number;
}

/** Destroys the material of every version below `minAvailableVersion` (≤ both minimums). */
export interface TrimKeyVersions extends KeyCommandBase {
  readonly type: 'TrimKeyVersions';
  readonly minAvailableVersion: number;
}

export interface SetRetainVersions extends KeyCommandBase {
  readonly type: 'SetRetainVersions';
  /** 0 (off) or 1..MAX_RETAIN_VERSIONS. */
  readonly retainVersions: number;
}

export interface ChangeRotationPeriod extends KeyCommandBase {
  readonly type: 'ChangeRotationPeriod';
  readonly rotationPeriodDays: number;
}

/** Records a failed rotation attempt so the gap is in the key's history (the key is unchanged). */
export interface RecordKeyRotationFailure extends KeyCommandBase {
  readonly type: 'RecordKeyRotationFailure';
  readonly reason: RotationReason;
  /** Stable error code, upper snake case (e.g. `KMS_UNAVAILABLE`); never an error message. */
  readonly code: string;
  readonly runId: string;
}

/** Every command the Key decider accepts. */
export type KeyCommand =
  | CreateKey
  | RotateKey
  | DisableKey
  | EnableKey
  | ScheduleKeyDeletion
  | CancelKeyDeletion
  | DestroyKey
  | SetMinDecryptionVersion
  | ChangeRotationPeriod
  | RecordKeyRotationFailure
  | SetMinEncryptionVersion
  | TrimKeyVersions
  | SetRetainVersions;

/**
 * A key command before its side effect: CreateKey and RotateKey without the material the caller
 * provisions only once the guards passed; the other commands as they are.
 */
export type PendingKeyCommand = Omit<CreateKey, 'material'> | Omit<RotateKey, 'material'> | Exclude<KeyCommand, CreateKey | RotateKey>;
