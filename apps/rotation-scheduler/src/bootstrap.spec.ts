import { SchedulerRegistry } from '@nestjs/schedule';
import { METRIC_NAMES } from '@keyledger/observability';
import { loadConfig } from '@keyledger/runtime';
import { startScheduler } from './bootstrap';
import { loadSchedulerObservabilityConfig } from './observability/observability.config';

describe('scheduler start-up', () => {
  it('starts with the schedule registry, serves /metrics and /health/live, and closes cleanly', async () => {
    const app = await startScheduler(loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }), { observability: { httpPort: 0 }, withoutRuntime: true });
    try {
      expect(app.get(SchedulerRegistry)).toBeInstanceOf(SchedulerRegistry);
      const address = app.getHttpServer().address();
      if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
      const base = `http://127.0.0.1:${address.port}`;
      const metrics = await fetch(`${base}/metrics`);
      expect(metrics.status).toBe(200);
      const body = await metrics.text();
      for (const name of METRIC_NAMES) expect(body).toContain(`# TYPE ${name} `);
      expect(body).toContain('process_resident_memory_bytes');
      expect((await fetch(`${base}/health/live`)).status).toBe(200);
      // Without a store and provider the scheduler cannot do its work: not ready.
      expect((await fetch(`${base}/health/ready`)).status).toBe(503);
    } finally {
      await app.close();
    }
  });
});

describe('scheduler observability config', () => {
  it('defaults to port 8081 with the tenant label on, and names a bad variable', () => {
    expect(loadSchedulerObservabilityConfig({})).toEqual({ httpPort: 8081, tenantLabel: true });
    expect(loadSchedulerObservabilityConfig({ SCHEDULER_PORT: '9100', METRICS_TENANT_LABEL: 'false' })).toEqual({ httpPort: 9100, tenantLabel: false });
    expect(() => loadSchedulerObservabilityConfig({ SCHEDULER_PORT: 'http' })).toThrow(/SCHEDULER_PORT/);
  });
});
