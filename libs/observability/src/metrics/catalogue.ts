/**
 * The one list of every Prometheus metric keyledger exports. Alert rules, the Grafana dashboard
 * and the runbooks name these; tools/monitoring checks that they name nothing else.
 */

export type MetricKind = 'counter' | 'gauge' | 'histogram';

/** One metric: its exported name, help text, label names and (histograms) bucket bounds. */
export interface MetricDefinition<K extends MetricKind = MetricKind> {
  readonly name: string;
  readonly kind: K;
  readonly help: string;
  readonly labelNames: readonly string[];
  readonly buckets?: readonly number[];
}

/** Options that change the catalogue's shape. */
export interface CatalogueOptions {
  /**
   * Whether `kms_errors_total` carries a `tenant_id` label. Switch it off when the number of
   * tenants would make the series count unbounded.
   */
  readonly tenantLabel: boolean;
}

export const DEFAULT_CATALOGUE_OPTIONS: CatalogueOptions = { tenantLabel: true };

/** Latency buckets in seconds, from 50 µs (a cache hit) to 10 s (a provider timing out). */
export const LATENCY_BUCKETS_SECONDS: readonly number[] = [
  0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

const counter = (name: string, help: string, labelNames: readonly string[] = []): MetricDefinition<'counter'> => ({
  name,
  kind: 'counter',
  help,
  labelNames,
});
const gauge = (name: string, help: string, labelNames: readonly string[] = []): MetricDefinition<'gauge'> => ({
  name,
  kind: 'gauge',
  help,
  labelNames,
});
const histogram = (name: string, help: string, labelNames: readonly string[] = []): MetricDefinition<'histogram'> => ({
  name,
  kind: 'histogram',
  help,
  labelNames,
  buckets: LATENCY_BUCKETS_SECONDS,
});

/** Builds the catalogue, keyed by a stable id used by the typed recorder. */
export function metricCatalogue(options: CatalogueOptions = DEFAULT_CATALOGUE_OPTIONS) {
  const errorLabels = options.tenantLabel ? ['operation', 'tenant_id', 'code'] : ['operation', 'code'];
  return {
    retrieveSigningKeySeconds: histogram('kms_retrieve_signing_key_seconds', 'Latency of signing-key retrieval (cache or provider).'),
    retrievePublicKeySeconds: histogram('kms_retrieve_public_key_seconds', 'Latency of public-key retrieval (cache or provider).'),
    retrieveEncryptionKeySeconds: histogram('kms_retrieve_encryption_key_seconds', 'Latency of encryption-key retrieval (cache or provider).'),
    retrieveSigningKeyTotal: counter('kms_retrieve_signing_key_total', 'Signing-key retrievals.'),
    retrievePublicKeyTotal: counter('kms_retrieve_public_key_total', 'Public-key retrievals.'),
    retrieveEncryptionKeyTotal: counter('kms_retrieve_encryption_key_total', 'Encryption-key retrievals.'),
    cacheHitTotal: counter('kms_cache_hit_total', 'Key cache hits.', ['key_type']),
    cacheMissTotal: counter('kms_cache_miss_total', 'Key cache misses.', ['key_type']),
    cacheSize: gauge('kms_cache_size', 'Entries currently in the key cache.'),
    cacheEvictionsTotal: counter('kms_cache_evictions_total', 'Entries evicted from the key cache (size or TTL).'),
    errorsTotal: counter('kms_errors_total', 'Failed KMS operations by operation and error code.', errorLabels),
    providerRequestsTotal: counter('kms_provider_requests_total', 'Calls made to the KMS provider (what it bills for).', ['provider', 'operation', 'outcome']),
    providerRequestSeconds: histogram('kms_provider_request_seconds', 'Latency of calls to the KMS provider.', ['provider', 'operation']),
    operationsTotal: counter('kms_operations_total', 'KMS operations served, by outcome.', ['operation', 'outcome']),
    circuitBreakerState: gauge('circuit_breaker_state', 'Circuit breaker state: 0 closed, 1 open, 2 half-open.', ['name']),
    circuitBreakerTransitionsTotal: counter('circuit_breaker_transitions_total', 'Circuit breaker state changes, by target state.', ['name', 'to']),
    lastRotationTimestampSeconds: gauge('kms_last_rotation_timestamp_seconds', 'Unix time of the last successful rotation run (0: none yet).'),
    keysRotationOverdue: gauge('kms_keys_rotation_overdue', 'Keys whose primary version is older than their rotation period.'),
    rotationsTotal: counter('kms_rotations_total', 'Keys considered by rotation runs, by outcome (rotated, skipped, failed).', ['outcome']),
    rotationRunDurationSeconds: gauge('kms_rotation_run_duration_seconds', 'Wall-clock duration of the last rotation run.'),
    signingFrozen: gauge('signing_frozen', '1 while signing is frozen by an operator, else 0.'),
    breakglassSessionsActive: gauge('breakglass_sessions_active', 'Break-glass sessions currently active.'),
    breakglassSignaturesTotal: counter('breakglass_signatures_total', 'Signatures made under a break-glass session.'),
    auditWitnessCosignaturesTotal: counter('audit_witness_cosignatures_total', 'Cosignature requests to audit witnesses, by witness and outcome.', ['witness', 'outcome']),
    auditWitnessUp: gauge('audit_witness_up', '1 when the witness cosigned the newest checkpoint in the last round, else 0.', ['witness']),
    eventstoreAppendSeconds: histogram('eventstore_append_seconds', 'Latency of event store appends.', ['store']),
    eventstoreProjectionLagEvents: gauge('eventstore_projection_lag_events', 'Events a projection is behind the head of the store.', ['projection']),
  } as const;
}

export type MetricCatalogue = ReturnType<typeof metricCatalogue>;
export type MetricId = keyof MetricCatalogue;

/** Every metric name in the catalogue. */
export const METRIC_NAMES: readonly string[] = Object.values(metricCatalogue()).map((d) => d.name);

/**
 * The series names a scrape shows for these definitions (a histogram appears as
 * `_bucket`, `_sum` and `_count`), for checking what rules and dashboards may query.
 */
export function exportedSeriesNames(definitions: readonly MetricDefinition[]): string[] {
  return definitions.flatMap((d) => (d.kind === 'histogram' ? [`${d.name}_bucket`, `${d.name}_sum`, `${d.name}_count`] : [d.name]));
}
