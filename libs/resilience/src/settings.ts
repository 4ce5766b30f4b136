/** Circuit breaker parameters (MicroProfile Fault Tolerance names, as in the seeds). */
export interface CircuitBreakerSettings {
  /** Size of the count-based window; the breaker never opens before it holds this many calls. */
  readonly requestVolumeThreshold: number;
  /** Opens when failures / window size reaches this (0 < ratio <= 1). */
  readonly failureRatio: number;
  /** How long the breaker stays open before half-opening. */
  readonly delayMs: number;
  /** Consecutive half-open successes needed to close. */
  readonly successThreshold: number;
  /** Trial calls allowed in flight at once while half-open. */
  readonly halfOpenMaxCalls: number;
}

/** Retry parameters: constant delay with symmetric jitter, bounded by an overall deadline. */
export interface RetrySettings {
  readonly maxRetries: number;
  readonly delayMs: number;
  /** Each delay is drawn uniformly from [delayMs - jitterMs, delayMs + jitterMs]. */
  readonly jitterMs: number;
  /** Overall budget from the first attempt; no retry is started that would wait past it. */
  readonly maxDurationMs: number;
}

export interface TimeoutSettings {
  readonly timeoutMs: number;
}

export interface BulkheadSettings {
  readonly maxConcurrent: number;
  /** Calls allowed to wait for a slot; beyond that a call is refused at once. */
  readonly maxQueue: number;
}

/** Everything a named policy needs that can come from configuration. */
export interface ResiliencePolicyOptions {
  /** Breaker name, e.g. `kms-signing-key`: lowercase words joined by hyphens. */
  readonly name: string;
  readonly breaker: CircuitBreakerSettings;
  readonly retry: RetrySettings;
  readonly timeout: TimeoutSettings;
  readonly bulkhead: BulkheadSettings;
}

/** The seeds' defaults (PRD-006: 10 / 0.5 / 5000 / 3; retry 3 × 100 ± 50 ms; timeout 5 s). */
export const RESILIENCE_DEFAULTS: Omit<ResiliencePolicyOptions, 'name'> = Object.freeze({
  breaker: Object.freeze({ requestVolumeThreshold: 10, failureRatio: 0.5, delayMs: 5000, successThreshold: 3, halfOpenMaxCalls: 3 }),
  retry: Object.freeze({ maxRetries: 3, delayMs: 100, jitterMs: 50, maxDurationMs: 10_000 }),
  timeout: Object.freeze({ timeoutMs: 5000 }),
  bulkhead: Object.freeze({ maxConcurrent: 10, maxQueue: 10 }),
});

/** Breaker names the app uses; any name matching {@link BREAKER_NAME_PATTERN} is allowed. */
export const BREAKER_NAMES = ['kms-signing-key', 'kms-public-key', 'kms-encryption-key'] as const;

export const BREAKER_NAME_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** Full options for `name` with every default applied. */
export function defaultResiliencePolicyOptions(name: string): ResiliencePolicyOptions {
  const d = RESILIENCE_DEFAULTS;
  return { name, breaker: { ...d.breaker }, retry: { ...d.retry }, timeout: { ...d.timeout }, bulkhead: { ...d.bulkhead } };
}
