import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { KMS_BREAKER_OPEN, type KmsHealthProbe } from '@keyledger/observability';
import { loadConfig } from '@keyledger/runtime';
import { startApi, type ApiOverrides } from '../bootstrap';

async function start(overrides: ApiOverrides): Promise<{ app: NestFastifyApplication; base: string }> {
  const config = { ...loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }), port: 0 };
  const app = await startApi(config, { observability: { tenantLabel: true }, withoutKeys: true, ...overrides });
  const address = app.getHttpServer().address();
  if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
  return { app, base: `http://127.0.0.1:${address.port}` };
}

type Details = Record<string, Record<string, unknown>>;

function countingProbe(provider: string): KmsHealthProbe & { calls: number } {
  const probe = {
    provider,
    calls: 0,
    check: async () => {
      probe.calls += 1;
    },
  };
  return probe;
}

describe('GET /health/ready', () => {
  const apps: NestFastifyApplication[] = [];
  afterAll(async () => {
    for (const app of apps) await app.close();
  });

  it('is 503 while no provider or event store adapter is wired, naming the configured ones', async () => {
    const { app, base } = await start({});
    apps.push(app);
    const res = await fetch(`${base}/health/ready`);
    expect(res.status).toBe(503);
    const body = (await res.json()) as { status: string; details: Details };
    expect(body.status).toBe('error');
    expect(body.details['kms']).toMatchObject({ status: 'down', provider: 'local', state: 'unavailable' });
    expect(String(body.details['kms']['error'])).toContain('not wired');
    expect(body.details['eventstore']).toMatchObject({ status: 'down', store: 'embedded', reachable: false });
  });

  it('is 200 with provider, latency_ms and projection lag when both probes answer, and caches probe results', async () => {
    const kms = countingProbe('aws');
    const { app, base } = await start({ kmsProbe: kms, eventStoreProbe: { store: 'esdb', check: async () => ({ projectionLag: 3 }) } });
    apps.push(app);
    const first = await fetch(`${base}/health/ready`);
    const second = await fetch(`${base}/health/ready`);
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    const body = (await first.json()) as { status: string; details: Details };
    expect(body.status).toBe('ok');
    expect(body.details['kms']).toMatchObject({ status: 'up', provider: 'aws', state: 'operational' });
    expect(typeof body.details['kms']['latency_ms']).toBe('number');
    expect(body.details['eventstore']).toMatchObject({ status: 'up', store: 'esdb', reachable: true, projection_lag: 3 });
    expect(kms.calls).toBe(1);
  });

  it('is 503 with the kms check down while the breaker is open, without probing the provider', async () => {
    const kms = countingProbe('pkcs11');
    const { app, base } = await start({
      kmsProbe: kms,
      eventStoreProbe: { store: 'embedded', check: async () => ({ projectionLag: 0 }) },
      healthProviders: [{ provide: KMS_BREAKER_OPEN, useValue: () => true }],
    });
    apps.push(app);
    const res = await fetch(`${base}/health/ready`);
    expect(res.status).toBe(503);
    const body = (await res.json()) as { details: Details };
    expect(body.details['kms']).toMatchObject({ status: 'down', provider: 'pkcs11', state: 'breaker-open' });
    expect(body.details['eventstore']).toMatchObject({ status: 'up' });
    expect(kms.calls).toBe(0);
  });
});
