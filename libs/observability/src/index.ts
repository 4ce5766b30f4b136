export {
  DEFAULT_CATALOGUE_OPTIONS,
  LATENCY_BUCKETS_SECONDS,
  METRIC_NAMES,
  exportedSeriesNames,
  metricCatalogue,
} from './metrics/catalogue';
export type { CatalogueOptions, MetricCatalogue, MetricDefinition, MetricId, MetricKind } from './metrics/catalogue';
export { collectMetrics, createPromMetric, registerCatalogue } from './metrics/catalogue-metrics';
export type { CatalogueMetrics, PromMetricFor } from './metrics/catalogue-metrics';
export { BREAKER_STATE_VALUE, KEY_STATUS_PROJECTION, KEY_TYPES, KmsMetrics } from './metrics/kms-metrics';
export type { BreakerState, KeyType, OperationOutcome, ProviderOutcome, RotationOutcomeLabel, ScrapeSources } from './metrics/kms-metrics';
export { MetricsModule } from './metrics/metrics.module';
export type { MetricsModuleOptions } from './metrics/metrics.module';
export { REDACTED, describeError, scrubText } from './redaction/scrub';
export { REDACT_PATHS, SECRET_FIELDS, loggerParams, requestId, resolveRequestId, serializeError, serializeRequest } from './logging/logger-params';
export type { LoggerOptions } from './logging/logger-params';
export { otlpTracesUrl, setupTracing } from './tracing/setup-tracing';
export type { TracingHandle, TracingOptions } from './tracing/setup-tracing';
export { RETRIEVAL_SPAN, inProviderSpan, inRetrievalSpan } from './tracing/kms-span';
export type { KmsSpanName, KmsSpanRecorder, ProviderSpanInput, RetrievalSpanInput } from './tracing/kms-span';
export { KmsTracing, TracingModule } from './tracing/tracing.module';
export { CachedProbe, DEFAULT_PROBE_TIMEOUT_MS, DEFAULT_PROBE_TTL_MS, ProbeTimeoutError } from './health/cached-probe';
export type { Clock, ProbeCacheOptions, ProbeOutcome } from './health/cached-probe';
export { EVENTSTORE_HEALTH_PROBE, HEALTH_OPTIONS, KMS_BREAKER_OPEN, KMS_HEALTH_PROBE } from './health/probes';
export type { BreakerOpenPredicate, EventStoreHealthProbe, EventStoreProbeResult, KmsHealthProbe } from './health/probes';
export { KmsHealthIndicator } from './health/kms.indicator';
export type { HealthOptions } from './health/kms.indicator';
export { EventStoreHealthIndicator } from './health/eventstore.indicator';
export { HealthIndicatorsModule } from './health/health-indicators.module';
export type { HealthIndicatorsModuleOptions } from './health/health-indicators.module';
