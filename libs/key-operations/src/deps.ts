import type { Clock, EventStore, IdGenerator, KmsProvider } from '@keyledger/kms-domain';

/** Key types the cache and retrieval metrics distinguish (as the observability catalogue names them). */
export type RetrievalKeyType = 'signing' | 'public' | 'encryption';
export type ProviderCallOutcome = 'success' | 'error' | 'timeout';
export type BreakerGaugeState = 'closed' | 'open' | 'half_open';

/**
 * What the key operations report. Structurally a subset of the observability lib's `KmsMetrics`,
 * so the app passes that object; tests pass {@link noTelemetry}. Values are names and ids only.
 */
export interface KeyOperationsTelemetry {
  cacheHit(keyType: RetrievalKeyType): void;
  cacheMiss(keyType: RetrievalKeyType): void;
  cacheSize(entries: number): void;
  cacheEvicted(count?: number): void;
  retrieval(keyType: RetrievalKeyType, seconds: number): void;
  providerRequest(provider: string, operation: string, outcome: ProviderCallOutcome, seconds: number): void;
  error(operation: string, code: string, tenantId: string): void;
  breakerTransition(name: string, to: BreakerGaugeState): void;
}

/** Traces a key retrieval (span `kms.retrieve_*`); the app binds it to the observability lib's `inRetrievalSpan`. */
export type RetrievalTracer = <T>(
  input: { readonly tenantId: string; readonly keyType: RetrievalKeyType },
  fn: (recorder: { cacheChecked(hit: boolean): void }) => Promise<T>,
) => Promise<T>;

/** Telemetry that records nothing. */
export const noTelemetry: KeyOperationsTelemetry = {
  cacheHit: () => undefined,
  cacheMiss: () => undefined,
  cacheSize: () => undefined,
  cacheEvicted: () => undefined,
  retrieval: () => undefined,
  providerRequest: () => undefined,
  error: () => undefined,
  breakerTransition: () => undefined,
};

/** Who asked, for event metadata (never a token). */
export interface Actor {
  readonly subject: string;
  readonly correlationId: string;
}

/** The ports the key operations run on; the app injects the adapters. */
export interface KeyOperationsPorts {
  readonly store: EventStore;
  /** The configured provider; keys record its `kind` as their provider. */
  readonly provider: KmsProvider;
  readonly clock: Clock;
  readonly ids: IdGenerator;
}
