import { HealthIndicatorService } from '@nestjs/terminus';
import { CachedProbe } from './cached-probe';
import { EventStoreHealthIndicator } from './eventstore.indicator';
import { KmsHealthIndicator } from './kms.indicator';

function manualClock(start = 1_000) {
  const clock = { now: start, fn: () => clock.now };
  return clock;
}

describe('CachedProbe', () => {
  it('reuses an outcome until the TTL passes, then probes again', async () => {
    const clock = manualClock();
    let calls = 0;
    const probe = new CachedProbe(async () => ++calls, { ttlMs: 5000, clock: clock.fn });
    expect(await probe.get()).toMatchObject({ ok: true, value: 1 });
    clock.now += 4999;
    expect(await probe.get()).toMatchObject({ ok: true, value: 1 });
    clock.now += 1;
    expect(await probe.get()).toMatchObject({ ok: true, value: 2 });
    expect(calls).toBe(2);
  });

  it('caches failures too, with a scrubbed message', async () => {
    const clock = manualClock();
    let calls = 0;
    const probe = new CachedProbe<void>(
      async () => {
        calls += 1;
        throw new Error('AccessDenied for token=abc123');
      },
      { clock: clock.fn },
    );
    const first = await probe.get();
    await probe.get();
    expect(first).toMatchObject({ ok: false, error: 'Error: AccessDenied for token=[REDACTED]' });
    expect(calls).toBe(1);
  });

  it('shares one run between concurrent callers', async () => {
    let calls = 0;
    let release: () => void = () => undefined;
    const probe = new CachedProbe(() => {
      calls += 1;
      return new Promise<void>((resolve) => (release = resolve));
    });
    const both = Promise.all([probe.get(), probe.get()]);
    release();
    const [a, b] = await both;
    expect(a).toBe(b);
    expect(calls).toBe(1);
  });

  it('fails a probe that does not answer in time', async () => {
    const probe = new CachedProbe(() => new Promise<void>(() => undefined), { timeoutMs: 20 });
    expect(await probe.get()).toMatchObject({ ok: false, error: expect.stringContaining('PROBE_TIMEOUT') });
  });

  it('measures latency on the injected clock', async () => {
    const clock = manualClock();
    const probe = new CachedProbe(async () => {
      clock.now += 45;
    }, { clock: clock.fn });
    expect(await probe.get()).toMatchObject({ ok: true, latencyMs: 45 });
  });
});

describe('KmsHealthIndicator', () => {
  const health = new HealthIndicatorService();

  it('is up with provider, latency_ms and operational state when the probe answers', async () => {
    const indicator = new KmsHealthIndicator(health, { provider: 'aws', check: async () => undefined }, () => false);
    const result = await indicator.isHealthy();
    expect(result).toEqual({ kms: { status: 'up', provider: 'aws', latency_ms: expect.any(Number), state: 'operational' } });
  });

  it('is down with the scrubbed error when the probe fails', async () => {
    const indicator = new KmsHealthIndicator(health, { provider: 'aws', check: () => Promise.reject(new Error('KMS unreachable')) });
    expect(await indicator.isHealthy()).toEqual({
      kms: { status: 'down', provider: 'aws', latency_ms: expect.any(Number), state: 'unavailable', error: 'Error: KMS unreachable' },
    });
  });

  it('is down without probing while the breaker is open, and probes again once it closes', async () => {
    let open = true;
    let calls = 0;
    const indicator = new KmsHealthIndicator(health, { provider: 'pkcs11', check: async () => void (calls += 1) }, () => open);
    expect((await indicator.isHealthy())['kms']).toMatchObject({ status: 'down', state: 'breaker-open' });
    expect(calls).toBe(0);
    open = false;
    expect((await indicator.isHealthy())['kms']).toMatchObject({ status: 'up' });
    expect(calls).toBe(1);
  });
});

describe('EventStoreHealthIndicator', () => {
  const health = new HealthIndicatorService();

  it('reports reachability and projection lag', async () => {
    const indicator = new EventStoreHealthIndicator(health, { store: 'embedded', check: async () => ({ projectionLag: 4 }) });
    expect(await indicator.isHealthy()).toEqual({
      eventstore: { status: 'up', store: 'embedded', reachable: true, latency_ms: expect.any(Number), projection_lag: 4 },
    });
  });

  it('is down when the store does not answer', async () => {
    const indicator = new EventStoreHealthIndicator(health, { store: 'esdb', check: () => Promise.reject(new Error('connection refused')) });
    expect((await indicator.isHealthy())['eventstore']).toMatchObject({ status: 'down', store: 'esdb', reachable: false, error: 'Error: connection refused' });
  });

  it('is down when lag exceeds the configured maximum', async () => {
    const indicator = new EventStoreHealthIndicator(health, { store: 'esdb', check: async () => ({ projectionLag: 501 }) }, { maxProjectionLag: 500 });
    expect((await indicator.isHealthy())['eventstore']).toMatchObject({ status: 'down', reachable: true, projection_lag: 501 });
  });
});
