import {
  MAX_ENCRYPT_PLAINTEXT_BYTES,
  SHA256_DIGEST_BYTES,
  type EncryptionContext,
  type KmsProviderKind,
} from '@keyledger/kms-domain';
import { kmsError } from './kms-errors';

const MAX_CONTEXT_PAIRS = 64;
const MAX_CONTEXT_CHARS = 8192;

/** Rejects contexts AWS would reject too: non-string values, empty keys, oversized contexts. */
export function assertEncryptionContext(context: EncryptionContext, provider: KmsProviderKind, operation: string): void {
  const fail = (reason: string) => kmsError(provider, operation, 'KMS_INVALID_REQUEST', reason);
  if (typeof context !== 'object' || context === null || Array.isArray(context)) throw fail('encryption context must be an object');
  const entries = Object.entries(context);
  if (entries.length > MAX_CONTEXT_PAIRS) throw fail(`encryption context has more than ${MAX_CONTEXT_PAIRS} pairs`);
  let chars = 0;
  for (const [key, value] of entries) {
    if (key.length === 0) throw fail('encryption context keys must not be empty');
    if (typeof value !== 'string') throw fail('encryption context values must be strings');
    chars += key.length + value.length;
  }
  if (chars > MAX_CONTEXT_CHARS) throw fail('encryption context is too large');
}

/**
 * The context in one canonical byte form (pairs sorted by key, JSON encoded), so that the same
 * pairs in any order bind the same associated data and any other pairs do not.
 */
export function canonicalEncryptionContext(context: EncryptionContext): Uint8Array {
  const pairs = Object.keys(context)
    .sort()
    .map((key) => [key, context[key]]);
  return new TextEncoder().encode(JSON.stringify(pairs));
}

export function assertPlaintext(plaintext: Uint8Array, provider: KmsProviderKind, operation: string): void {
  if (!(plaintext instanceof Uint8Array)) throw kmsError(provider, operation, 'KMS_INVALID_REQUEST', 'plaintext must be bytes');
  if (plaintext.length === 0 || plaintext.length > MAX_ENCRYPT_PLAINTEXT_BYTES) {
    throw kmsError(provider, operation, 'KMS_INVALID_REQUEST', `plaintext must be 1..${MAX_ENCRYPT_PLAINTEXT_BYTES} bytes`);
  }
}

export function assertCiphertext(wrapped: Uint8Array, provider: KmsProviderKind, operation: string): void {
  if (!(wrapped instanceof Uint8Array) || wrapped.length === 0) {
    throw kmsError(provider, operation, 'KMS_INVALID_CIPHERTEXT', 'the wrapped blob is empty or not bytes');
  }
}

export function assertSha256Digest(digest: Uint8Array, provider: KmsProviderKind, operation: string): void {
  if (!(digest instanceof Uint8Array) || digest.length !== SHA256_DIGEST_BYTES) {
    throw kmsError(provider, operation, 'KMS_INVALID_REQUEST', `digest must be ${SHA256_DIGEST_BYTES} bytes (SHA-256)`);
  }
}

export function assertKeyId(keyId: string, provider: KmsProviderKind, operation: string): void {
  if (typeof keyId !== 'string' || keyId.length === 0 || keyId.length > 2048) {
    throw kmsError(provider, operation, 'KMS_INVALID_REQUEST', 'key id must be a non-empty string');
  }
}
