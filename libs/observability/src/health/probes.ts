/**
 * The seams readiness checks are built on. Whoever owns a provider or an event store supplies a
 * probe under these tokens; the indicators time, cache and report them.
 */

/** Checks that the KMS provider answers (e.g. a data-key round trip); throws when it does not. */
export interface KmsHealthProbe {
  /** Provider name reported in the check, e.g. `aws`, `pkcs11`, `local`. */
  readonly provider: string;
  check(): Promise<void>;
}

/** What an event store probe reports when the store answered. */
export interface EventStoreProbeResult {
  /** Events the slowest projection is behind the head of the store. */
  readonly projectionLag: number;
}

/** Checks that the event store answers and reports projection lag; throws when unreachable. */
export interface EventStoreHealthProbe {
  /** Store name reported in the check, e.g. `embedded`, `esdb`. */
  readonly store: string;
  check(): Promise<EventStoreProbeResult>;
}

/** Injection token for the app's `KmsHealthProbe`. */
export const KMS_HEALTH_PROBE = Symbol.for('keyledger.KMS_HEALTH_PROBE');
/** Injection token for the app's `EventStoreHealthProbe`. */
export const EVENTSTORE_HEALTH_PROBE = Symbol.for('keyledger.EVENTSTORE_HEALTH_PROBE');
/** Optional injection token: `() => boolean`, true while the provider's circuit breaker is open. */
export const KMS_BREAKER_OPEN = Symbol.for('keyledger.KMS_BREAKER_OPEN');
/** Optional injection token for `HealthOptions`. */
export const HEALTH_OPTIONS = Symbol.for('keyledger.HEALTH_OPTIONS');

export type BreakerOpenPredicate = () => boolean;
