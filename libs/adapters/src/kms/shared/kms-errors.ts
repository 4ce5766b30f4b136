import { KmsProviderError, type KmsErrorCode, type KmsProviderKind } from '@keyledger/kms-domain';

/** Optional provider facts attached to an error; never payloads. */
export interface ProviderFacts {
  readonly providerCode?: string;
  readonly httpStatus?: number;
}

/**
 * Builds a port error whose message is made only of the operation, the stable code and the
 * provider's own code, so it can never carry key material, plaintext or ciphertext.
 */
export function kmsError(
  provider: KmsProviderKind,
  operation: string,
  code: KmsErrorCode,
  reason: string,
  facts: ProviderFacts = {},
): KmsProviderError {
  const suffix = facts.providerCode === undefined ? '' : ` (${facts.providerCode})`;
  return new KmsProviderError(code, `${provider} KMS ${operation} failed: ${reason}${suffix}`, {
    provider,
    operation,
    providerCode: facts.providerCode,
    httpStatus: facts.httpStatus,
  });
}

/** Throws KMS_TIMEOUT or KMS_ABORTED when the caller's signal has fired. */
export function throwIfAborted(signal: AbortSignal | undefined, provider: KmsProviderKind, operation: string): void {
  if (signal?.aborted) throw abortError(signal, provider, operation);
}

/** The port error for a fired signal: a timeout when its reason is a TimeoutError, else an abort. */
export function abortError(signal: AbortSignal, provider: KmsProviderKind, operation: string): KmsProviderError {
  const reason: unknown = signal.reason;
  // Duck-typed: the DOMException from AbortSignal.timeout may come from another realm.
  const timedOut = typeof reason === 'object' && reason !== null && (reason as { name?: unknown }).name === 'TimeoutError';
  return timedOut
    ? kmsError(provider, operation, 'KMS_TIMEOUT', 'the call timed out')
    : kmsError(provider, operation, 'KMS_ABORTED', 'the call was aborted');
}

/** Combines the caller's signal with an adapter-level timeout (either one ends the call). */
export function withTimeout(signal: AbortSignal | undefined, timeoutMs: number | undefined): AbortSignal | undefined {
  if (timeoutMs === undefined) return signal;
  const timeout = AbortSignal.timeout(timeoutMs);
  return signal === undefined ? timeout : AbortSignal.any([signal, timeout]);
}
