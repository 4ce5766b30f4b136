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
  /** One operation of the facade, by outcome (`kms_operations_total`); failures also go to `error`. */
  operation(operation: string, outcome: 'success' | 'error' | 'refused'): void;
  /** One event store append and its latency; the apps' timed store reports through here. */
  eventstoreAppend(store: string, seconds: number): void;
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
  operation: () => undefined,
  eventstoreAppend: () => undefined,
};

/**
 * Forwards telemetry to a recorder set later (`target`): the apps build the key operations before
 * Nest has built the metrics recorder, then point this at it. Until then it records nothing.
 */
export class ForwardingTelemetry implements KeyOperationsTelemetry {
  target: KeyOperationsTelemetry = noTelemetry;
  cacheHit: KeyOperationsTelemetry['cacheHit'] = (t) => this.target.cacheHit(t);
  cacheMiss: KeyOperationsTelemetry['cacheMiss'] = (t) => this.target.cacheMiss(t);
  cacheSize: KeyOperationsTelemetry['cacheSize'] = (n) => this.target.cacheSize(n);
  cacheEvicted: KeyOperationsTelemetry['cacheEvicted'] = (n) => this.target.cacheEvicted(n);
  retrieval: KeyOperationsTelemetry['retrieval'] = (t, s) => this.target.retrieval(t, s);
  providerRequest: KeyOperationsTelemetry['providerRequest'] = (p, o, r, s) => this.target.providerRequest(p, o, r, s);
  error: KeyOperationsTelemetry['error'] = (o, c, t) => this.target.error(o, c, t);
  breakerTransition: KeyOperationsTelemetry['breakerTransition'] = (n, s) => this.target.breakerTransition(n, s);
  operation: KeyOperationsTelemetry['operation'] = (o, r) => this.target.operation(o, r);
  eventstoreAppend: KeyOperationsTelemetry['eventstoreAppend'] = (s, t) => this.target.eventstoreAppend(s, t);
}

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
