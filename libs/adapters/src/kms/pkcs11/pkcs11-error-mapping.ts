import type { KmsErrorCode, KmsProviderError } from '@keyledger/kms-domain';
import { kmsError } from '../shared/kms-errors';

// PKCS#11 return values (CKR_*) keyledger distinguishes; everything else is a provider failure.
const CKR: Readonly<Record<number, readonly [string, KmsErrorCode]>> = {
  0x05: ['CKR_GENERAL_ERROR', 'KMS_UNAVAILABLE'],
  0x06: ['CKR_FUNCTION_FAILED', 'KMS_UNAVAILABLE'],
  0x30: ['CKR_DEVICE_ERROR', 'KMS_UNAVAILABLE'],
  0x31: ['CKR_DEVICE_MEMORY', 'KMS_UNAVAILABLE'],
  0x32: ['CKR_DEVICE_REMOVED', 'KMS_UNAVAILABLE'],
  0xb0: ['CKR_SESSION_CLOSED', 'KMS_UNAVAILABLE'],
  0xb3: ['CKR_SESSION_HANDLE_INVALID', 'KMS_UNAVAILABLE'],
  0xe0: ['CKR_TOKEN_NOT_PRESENT', 'KMS_UNAVAILABLE'],
  0x40: ['CKR_ENCRYPTED_DATA_INVALID', 'KMS_INVALID_CIPHERTEXT'],
  0x41: ['CKR_ENCRYPTED_DATA_LEN_RANGE', 'KMS_INVALID_CIPHERTEXT'],
  0x60: ['CKR_KEY_HANDLE_INVALID', 'KMS_KEY_NOT_FOUND'],
  0x68: ['CKR_KEY_FUNCTION_NOT_PERMITTED', 'KMS_KEY_DISABLED'],
  0x70: ['CKR_MECHANISM_INVALID', 'KMS_UNSUPPORTED'],
  0xa0: ['CKR_PIN_INCORRECT', 'KMS_ACCESS_DENIED'],
  0xa4: ['CKR_PIN_LOCKED', 'KMS_ACCESS_DENIED'],
  0x101: ['CKR_USER_NOT_LOGGED_IN', 'KMS_ACCESS_DENIED'],
};

// A GCM tag mismatch is reported as CKR_GENERAL_ERROR by SoftHSM2 and as CKR_ENCRYPTED_DATA_INVALID
// by others; during the C_Decrypt of an unwrap these all mean "this blob does not open".
const UNWRAP_FAILURES = new Set([0x05, 0x06, 0x20, 0x21, 0x40, 0x41]);

/** The CKR_* value of a pkcs11js error, if it is one. */
export function ckrOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** Translates a PKCS#11 failure into the port's typed error, keeping the CKR_* name. */
export function mapPkcs11Error(error: unknown, operation: string): KmsProviderError {
  const ckr = ckrOf(error);
  if (ckr === undefined) return kmsError('pkcs11', operation, 'KMS_PROVIDER_FAILURE', 'unexpected failure');
  const [name, code] = CKR[ckr] ?? [`CKR_0x${ckr.toString(16)}`, 'KMS_PROVIDER_FAILURE'];
  return kmsError('pkcs11', operation, code, 'the token refused the call', { providerCode: name });
}

/** For the C_Decrypt step of an unwrap: data-shaped failures become KMS_INVALID_CIPHERTEXT. */
export function mapUnwrapError(error: unknown): KmsProviderError {
  const ckr = ckrOf(error);
  if (ckr !== undefined && UNWRAP_FAILURES.has(ckr)) {
    return kmsError('pkcs11', 'decrypt', 'KMS_INVALID_CIPHERTEXT', 'the blob is invalid or the encryption context does not match', {
      providerCode: CKR[ckr]?.[0] ?? `CKR_0x${ckr.toString(16)}`,
    });
  }
  return mapPkcs11Error(error, 'decrypt');
}
