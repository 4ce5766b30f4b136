import { ConfigError } from '@keyledger/runtime';
import { loadObservabilityConfig } from './observability.config';
import { unwiredEventStoreProbe, unwiredKmsProbe } from './unwired-probes';

describe('API observability config', () => {
  it('labels errors by tenant unless METRICS_TENANT_LABEL=false', () => {
    expect(loadObservabilityConfig({})).toEqual({ tenantLabel: true });
    expect(loadObservabilityConfig({ METRICS_TENANT_LABEL: 'false' })).toEqual({ tenantLabel: false });
  });

  it('names a bad METRICS_TENANT_LABEL', () => {
    expect(() => loadObservabilityConfig({ METRICS_TENANT_LABEL: 'maybe' })).toThrow(ConfigError);
    expect(() => loadObservabilityConfig({ METRICS_TENANT_LABEL: 'maybe' })).toThrow(/METRICS_TENANT_LABEL/);
  });
});

describe('unwired probes', () => {
  it('name the configured provider and store and fail with a stable code', async () => {
    const kms = unwiredKmsProbe('aws');
    const store = unwiredEventStoreProbe('esdb');
    expect(kms.provider).toBe('aws');
    expect(store.store).toBe('esdb');
    await expect(kms.check()).rejects.toMatchObject({ code: 'PROBE_NOT_WIRED' });
    await expect(store.check()).rejects.toMatchObject({ code: 'PROBE_NOT_WIRED' });
  });
});
