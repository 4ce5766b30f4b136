import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { KmsMetrics, METRIC_NAMES } from '@keyledger/observability';
import { loadConfig } from '@keyledger/runtime';
import { startApi } from '../bootstrap';

async function start(tenantLabel: boolean): Promise<{ app: NestFastifyApplication; base: string }> {
  const app = await startApi({ ...loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }), port: 0 }, { observability: { tenantLabel } });
  const address = app.getHttpServer().address();
  if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
  return { app, base: `http://127.0.0.1:${address.port}` };
}

describe('GET /metrics on the API', () => {
  let app: NestFastifyApplication;
  let base: string;

  beforeAll(async () => {
    ({ app, base } = await start(true));
  });

  afterAll(async () => {
    await app.close();
  });

  it('serves every catalogue metric and the default process metrics in Prometheus text format', async () => {
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const body = await res.text();
    for (const name of METRIC_NAMES) expect(body).toContain(`# TYPE ${name} `);
    expect(body).toContain('process_cpu_user_seconds_total');
    expect(body).toContain('nodejs_heap_size_used_bytes');
  });

  it('shows what the typed recorder records, with the tenant label', async () => {
    const metrics = app.get(KmsMetrics);
    metrics.cacheHit('signing');
    metrics.error('sign', 'PROVIDER_UNAVAILABLE', 'tenant-a');
    metrics.breakerTransition('kms-signing-key', 'open');
    const body = await (await fetch(`${base}/metrics`)).text();
    expect(body).toMatch(/^kms_cache_hit_total\{key_type="signing"\} 1$/m);
    expect(body).toMatch(/^kms_errors_total\{operation="sign",tenant_id="tenant-a",code="PROVIDER_UNAVAILABLE"\} 1$/m);
    expect(body).toMatch(/^circuit_breaker_state\{name="kms-signing-key"\} 1$/m);
    expect(body).toMatch(/^circuit_breaker_transitions_total\{name="kms-signing-key",to="open"\} 1$/m);
  });
});

describe('GET /metrics with METRICS_TENANT_LABEL=false', () => {
  it('drops tenant_id from kms_errors_total', async () => {
    const { app, base } = await start(false);
    try {
      app.get(KmsMetrics).error('decrypt', 'KEY_DISABLED', 'tenant-b');
      const body = await (await fetch(`${base}/metrics`)).text();
      expect(body).toMatch(/^kms_errors_total\{operation="decrypt",code="KEY_DISABLED"\} 1$/m);
      expect(body).not.toContain('tenant-b');
    } finally {
      await app.close();
    }
  });
});
