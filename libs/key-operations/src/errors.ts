import { KeyledgerError } from '@keyledger/kms-domain';

/**
 * Codes of the errors the key operations raise themselves (domain, store, provider and resilience
 * errors pass through with their own codes). Stable: the API maps each to an HTTP status.
 */
export const KEY_OPERATION_ERROR_CODES = [
  'INVALID_CIPHERTEXT',
  'INVALID_SIGNATURE_INPUT',
  'INVALID_MAC_INPUT',
  'DIGEST_NOT_SUPPORTED',
  'INVALID_JWT',
  'PRECONDITION_FAILED',
  'KMS_UNAVAILABLE',
  'CIRCUIT_OPEN',
  'KEY_MATERIAL_UNAVAILABLE',
  'PROVIDER_MISMATCH',
  'ROTATION_JOB_STARTING',
] as const;
export type KeyOperationErrorCode = (typeof KEY_OPERATION_ERROR_CODES)[number];

/** An error raised by a key operation; `retryAfterMs` is set for CIRCUIT_OPEN and KMS_UNAVAILABLE. */
export class KeyOperationError extends KeyledgerError {
  constructor(
    readonly code: KeyOperationErrorCode,
    message: string,
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Brand check on the code (survives duplicated module copies). */
export function isKeyOperationError(error: unknown): error is KeyOperationError {
  return error instanceof Error && (KEY_OPERATION_ERROR_CODES as readonly string[]).includes((error as { code?: string }).code ?? '');
}

/** A ciphertext that cannot be opened: malformed, for another key, or with another context. */
export const invalidCiphertext = (reason: string): KeyOperationError =>
  new KeyOperationError('INVALID_CIPHERTEXT', `The ciphertext cannot be decrypted: ${reason}`);
