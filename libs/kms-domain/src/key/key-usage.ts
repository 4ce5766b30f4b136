import {
  KeyDestroyedError,
  KeyDisabledError,
  KeyNotFoundError,
  KeyPendingDeletionError,
  KeyVersionDestroyedError,
  KeyVersionNotAllowedError,
  ValidationError,
} from '../errors/domain-errors';
import { assertNever } from '../shared/assert-never';
import { encryptionFloor, type KeyState } from './key-state';
import type { KeyPurpose, KeyVersion } from './key-types';

/**
 * Cryptographic operations on a key; sign/encrypt use the primary unless they name a version at or
 * above the encryption floor, verify/decrypt a named version.
 */
export type KeyOperation = 'sign' | 'verify' | 'encrypt' | 'decrypt' | 'mac' | 'verify-mac';

const PURPOSE_OF: Readonly<Record<KeyOperation, KeyPurpose>> = {
  sign: 'sign',
  verify: 'sign',
  encrypt: 'encrypt',
  decrypt: 'encrypt',
  mac: 'mac',
  'verify-mac': 'mac',
};

/** The key identified for an operation. */
export interface KeyUseRequest {
  readonly tenantId: string;
  readonly keyId: string;
  readonly operation: KeyOperation;
  /**
   * Required for verify and decrypt (taken from the signature or ciphertext); optional for sign and
   * encrypt (`keyVersion`: must be at least `minEncryptionVersion`, 0 meaning the primary).
   */
  readonly version?: number;
}

/**
 * Fails closed: returns the version to use only if the key exists, is Enabled, fits the operation
 * and (for verify/decrypt) the version exists and is at least `minDecryptionVersion`. As in AWS
 * KMS, a disabled or pending-deletion key refuses every cryptographic operation.
 */
export function authorizeKeyUse(state: KeyState, request: KeyUseRequest): KeyVersion {
  switch (state.status) {
    case 'Absent':
      throw new KeyNotFoundError(request);
    case 'Destroyed':
      throw new KeyDestroyedError(request);
    case 'PendingDeletion':
      throw new KeyPendingDeletionError(request, state.deleteAfter);
    case 'Disabled':
      throw new KeyDisabledError(request, request.operation);
    case 'Enabled':
      break;
    default:
      return assertNever(state, 'key state');
  }
  if (PURPOSE_OF[request.operation] !== state.purpose) {
    throw new ValidationError('operation', `a ${state.purpose} key cannot ${request.operation}`);
  }
  const producing = request.operation === 'sign' || request.operation === 'encrypt' || request.operation === 'mac';
  const wanted = producing ? (request.version ?? state.primaryVersion) : request.version;
  // Versions are 1..n in order, so the one asked for is found by index (no scan).
  const version = Number.isSafeInteger(wanted) ? state.versions[Number(wanted) - 1] : undefined;
  if (version === undefined || version.version !== wanted) throw new KeyVersionNotAllowedError(request, Number(wanted), 'no such version');
  if (version.version < state.minAvailableVersion) throw new KeyVersionDestroyedError(request, version.version, state.minAvailableVersion);
  if (producing) {
    const floor = encryptionFloor(state);
    if (version.version < floor) throw new KeyVersionNotAllowedError(request, version.version, `below minEncryptionVersion (${floor}); set minEncryptionVersion to allow older versions`);
    return version;
  }
  if (version.version < state.minDecryptionVersion) {
    throw new KeyVersionNotAllowedError(request, version.version, `below minDecryptionVersion ${state.minDecryptionVersion}`);
  }
  return version;
}
