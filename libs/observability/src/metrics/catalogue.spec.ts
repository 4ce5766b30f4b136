import { Registry } from 'prom-client';
import { LATENCY_BUCKETS_SECONDS, METRIC_NAMES, exportedSeriesNames, metricCatalogue } from './catalogue';
import { registerCatalogue } from './catalogue-metrics';
import { KmsMetrics } from './kms-metrics';

/** The names the issue and the seed documents promise operators. */
const PROMISED = [
  'kms_retrieve_signing_key_seconds',
  'kms_retrieve_public_key_seconds',
  'kms_retrieve_encryption_key_seconds',
  'kms_retrieve_signing_key_total',
  'kms_retrieve_public_key_total',
  'kms_retrieve_encryption_key_total',
  'kms_cache_hit_total',
  'kms_cache_miss_total',
  'kms_cache_size',
  'kms_cache_evictions_total',
  'kms_errors_total',
  'kms_provider_requests_total',
  'kms_provider_request_seconds',
  'kms_operations_total',
  'circuit_breaker_state',
  'circuit_breaker_transitions_total',
  'kms_last_rotation_timestamp_seconds',
  'kms_keys_rotation_overdue',
  'kms_rotations_total',
  'kms_rotation_run_duration_seconds',
  'signing_frozen',
  'breakglass_sessions_active',
  'breakglass_signatures_total',
  'audit_witness_cosignatures_total',
  'audit_witness_up',
  'eventstore_append_seconds',
  'eventstore_projection_lag_events',
];

describe('metric catalogue', () => {
  it('holds exactly the promised names, each once', () => {
    expect([...METRIC_NAMES].sort()).toEqual([...PROMISED].sort());
  });

  it('gives latency histograms buckets from 50 µs to 10 s', () => {
    const histograms = Object.values(metricCatalogue()).filter((d) => d.kind === 'histogram');
    expect(histograms.map((d) => d.name)).toContain('kms_retrieve_signing_key_seconds');
    for (const h of histograms) expect(h.buckets).toBe(LATENCY_BUCKETS_SECONDS);
    expect(LATENCY_BUCKETS_SECONDS[0]).toBe(0.00005);
    expect(LATENCY_BUCKETS_SECONDS[LATENCY_BUCKETS_SECONDS.length - 1]).toBe(10);
    expect([...LATENCY_BUCKETS_SECONDS].sort((a, b) => a - b)).toEqual(LATENCY_BUCKETS_SECONDS);
  });

  it('labels kms_errors_total by tenant unless switched off', () => {
    expect(metricCatalogue({ tenantLabel: true }).errorsTotal.labelNames).toEqual(['operation', 'tenant_id', 'code']);
    expect(metricCatalogue({ tenantLabel: false }).errorsTotal.labelNames).toEqual(['operation', 'code']);
  });

  it('lists histogram series with their suffixes', () => {
    const defs = [metricCatalogue().retrieveSigningKeySeconds, metricCatalogue().cacheSize];
    expect(exportedSeriesNames(defs)).toEqual([
      'kms_retrieve_signing_key_seconds_bucket',
      'kms_retrieve_signing_key_seconds_sum',
      'kms_retrieve_signing_key_seconds_count',
      'kms_cache_size',
    ]);
  });
});

describe('KmsMetrics', () => {
  async function scrape(tenantLabel: boolean, record: (m: KmsMetrics) => void): Promise<string> {
    const registry = new Registry();
    const metrics = new KmsMetrics(registerCatalogue(registry, { tenantLabel }), { tenantLabel });
    record(metrics);
    return registry.metrics();
  }

  it('records a retrieval in the histogram and counter of its key type only', async () => {
    const text = await scrape(true, (m) => m.retrieval('public', 0.0002));
    expect(text).toMatch(/^kms_retrieve_public_key_total 1$/m);
    expect(text).toMatch(/^kms_retrieve_public_key_seconds_bucket\{le="0.00025"\} 1$/m);
    expect(text).toMatch(/^kms_retrieve_public_key_seconds_bucket\{le="0.0001"\} 0$/m);
    expect(text).toMatch(/^kms_retrieve_signing_key_total 0$/m);
  });

  it('starts cache hit and miss series at zero for every key type', async () => {
    const text = await scrape(true, () => undefined);
    for (const t of ['signing', 'public', 'encryption']) {
      expect(text).toContain(`kms_cache_hit_total{key_type="${t}"} 0`);
      expect(text).toContain(`kms_cache_miss_total{key_type="${t}"} 0`);
    }
  });

  it('drops the tenant label when switched off and bounds label length', async () => {
    const withTenant = await scrape(true, (m) => m.error('sign', 'KEY_DISABLED', 't'.repeat(100)));
    expect(withTenant).toContain(`kms_errors_total{operation="sign",tenant_id="${'t'.repeat(64)}",code="KEY_DISABLED"} 1`);
    const without = await scrape(false, (m) => m.error('sign', 'KEY_DISABLED', 'tenant-x'));
    expect(without).toContain('kms_errors_total{operation="sign",code="KEY_DISABLED"} 1');
    expect(without).not.toContain('tenant-x');
  });

  it('maps breaker states to 0/1/2 and counts transitions', async () => {
    const text = await scrape(true, (m) => {
      m.breakerState('kms', 'closed');
      m.breakerTransition('kms', 'open');
      m.breakerTransition('kms', 'half_open');
    });
    expect(text).toMatch(/^circuit_breaker_state\{name="kms"\} 2$/m);
    expect(text).toContain('circuit_breaker_transitions_total{name="kms",to="open"} 1');
    expect(text).toContain('circuit_breaker_transitions_total{name="kms",to="half_open"} 1');
  });

  it('records provider calls, operations, rotation, freeze, break-glass and event store figures', async () => {
    const text = await scrape(true, (m) => {
      m.providerRequest('aws', 'generate_data_key', 'timeout', 5);
      m.operation('sign', 'refused');
      m.rotationCompleted(1_700_000_000);
      m.keysRotationOverdue(2);
      m.signingFrozen(true);
      m.breakglassSessionsActive(1);
      m.breakglassSignature();
      m.cacheSize(7);
      m.cacheEvicted(3);
      m.cacheHit('encryption');
      m.cacheMiss('encryption');
      m.eventstoreAppend('embedded', 0.002);
      m.projectionLag('key-status', 12);
    });
    expect(text).toContain('kms_provider_requests_total{provider="aws",operation="generate_data_key",outcome="timeout"} 1');
    expect(text).toContain('kms_provider_request_seconds_bucket{le="5",provider="aws",operation="generate_data_key"} 1');
    expect(text).toContain('kms_operations_total{operation="sign",outcome="refused"} 1');
    expect(text).toMatch(/^kms_last_rotation_timestamp_seconds 1700000000$/m);
    expect(text).toMatch(/^kms_keys_rotation_overdue 2$/m);
    expect(text).toMatch(/^signing_frozen 1$/m);
    expect(text).toMatch(/^breakglass_sessions_active 1$/m);
    expect(text).toMatch(/^breakglass_signatures_total 1$/m);
    expect(text).toMatch(/^kms_cache_size 7$/m);
    expect(text).toMatch(/^kms_cache_evictions_total 3$/m);
    expect(text).toContain('kms_cache_hit_total{key_type="encryption"} 1');
    expect(text).toContain('kms_cache_miss_total{key_type="encryption"} 1');
    expect(text).toContain('eventstore_append_seconds_count{store="embedded"} 1');
    expect(text).toContain('eventstore_projection_lag_events{projection="key-status"} 12');
  });

  it('reads projection lag and the signing freeze at scrape time, keeping the last value when a source fails', async () => {
    const registry = new Registry();
    const metrics = new KmsMetrics(registerCatalogue(registry));
    let lag = 3;
    let frozen = false;
    let storeDown = false;
    metrics.sampleAtScrape({
      projectionLag: async () => {
        if (storeDown) throw new Error('store unreachable');
        return { 'key-status': lag };
      },
      signingFrozen: () => frozen,
    });
    const first = await registry.metrics();
    expect(first).toContain('eventstore_projection_lag_events{projection="key-status"} 3');
    expect(first).toMatch(/^signing_frozen 0$/m);
    lag = 1500;
    frozen = true;
    const second = await registry.metrics();
    expect(second).toContain('eventstore_projection_lag_events{projection="key-status"} 1500');
    expect(second).toMatch(/^signing_frozen 1$/m);
    storeDown = true;
    lag = 0;
    expect(await registry.metrics()).toContain('eventstore_projection_lag_events{projection="key-status"} 1500');
  });
});
