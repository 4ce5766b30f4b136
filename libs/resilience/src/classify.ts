import { isResilienceError, isTimeoutError } from './errors';

/**
 * Decides whether an error means the provider is unhealthy. Such failures count in the breaker's
 * window and are worth retrying; anything else (a caller's mistake such as an invalid ciphertext)
 * proves the provider answered, so the breaker records it as a success and retry gives up.
 */
export type FailureClassifier = (error: unknown) => boolean;

/**
 * Default classifier: errors flagged `transient: true` (adapters flag throttling, 5xx, resets)
 * and this lib's own timeout are failures; everything else is not.
 */
export const isTransientFailure: FailureClassifier = (error) =>
  isTimeoutError(error) ||
  (typeof error === 'object' && error !== null && (error as { transient?: unknown }).transient === true);

/**
 * Rejections the policies raise before the provider was reached (breaker open, bulkhead full,
 * deadline). They say nothing about the provider's health, so the breaker ignores them and retry
 * never retries them, whatever the classifier says.
 */
export function isPolicyRejection(error: unknown): boolean {
  return (
    isResilienceError(error, 'BREAKER_OPEN') ||
    isResilienceError(error, 'BULKHEAD_FULL') ||
    isResilienceError(error, 'DEADLINE_EXCEEDED')
  );
}
