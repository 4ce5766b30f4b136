import { rotationStatus, type ExistingKeyState, type KeyState } from '@keyledger/kms-domain';

/** A key as the API shows it: no material, no material references. */
export interface KeyView {
  readonly keyId: string;
  readonly tenantId: string;
  readonly name: string;
  readonly purpose: string;
  readonly algorithm: string;
  readonly provider: string;
  readonly mode: string;
  readonly status: ExistingKeyState['status'];
  readonly primaryVersion: number;
  readonly minDecryptionVersion: number;
  /** 0 = encrypt/sign use only the primary. */
  readonly minEncryptionVersion: number;
  /** Versions below it were trimmed (their material is destroyed). */
  readonly minAvailableVersion: number;
  /** Newest versions the nightly trim keeps; 0 = off. */
  readonly retainVersions: number;
  readonly rotationPeriodDays: number;
  /** Every version, trimmed ones too (`destroyed: true`). */
  readonly versions: readonly { readonly version: number; readonly createdAt: string; readonly destroyed: boolean }[];
  readonly createdAt: string;
  readonly lastRotatedAt: string;
  readonly deleteAfter: string | null;
  readonly nextRotationDueAt: string | null;
  readonly rotationOverdue: boolean;
}

/** A key view with the stream revision it was read at (the ETag). */
export interface KeyResult {
  readonly key: KeyView;
  readonly revision: number;
}

/** Key ids are `<name>.<suffix>`; the name is what the creator chose. */
export const nameOfKeyId = (keyId: string): string => {
  const dot = keyId.lastIndexOf('.');
  return dot > 0 ? keyId.slice(0, dot) : keyId;
};

/** Builds the API view of an existing key at `now`. */
export function toKeyView(state: ExistingKeyState, now: Date): KeyView {
  const rotation = rotationStatus(state, now);
  return {
    keyId: state.keyId,
    tenantId: state.tenantId,
    name: nameOfKeyId(state.keyId),
    purpose: state.purpose,
    algorithm: state.algorithm,
    provider: state.provider,
    mode: state.mode,
    status: state.status,
    primaryVersion: state.primaryVersion,
    minDecryptionVersion: state.minDecryptionVersion,
    minEncryptionVersion: state.minEncryptionVersion,
    minAvailableVersion: state.minAvailableVersion,
    retainVersions: state.retainVersions,
    rotationPeriodDays: state.rotationPeriodDays,
    versions: state.versions.map(({ version, createdAt }) => ({ version, createdAt, destroyed: version < state.minAvailableVersion })),
    createdAt: state.createdAt,
    lastRotatedAt: state.lastRotatedAt,
    deleteAfter: state.status === 'PendingDeletion' ? state.deleteAfter : null,
    nextRotationDueAt: rotation.nextDueAt,
    rotationOverdue: rotation.overdue,
  };
}

/** Narrows a state to an existing key. */
export const existing = (state: KeyState): state is ExistingKeyState => state.status !== 'Absent';
