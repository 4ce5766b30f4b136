import { Writable } from 'node:stream';
import { SchedulerRegistry } from '@nestjs/schedule';
import { InMemoryEventStore } from '@keyledger/adapters';
import { FixedClock, keyStream } from '@keyledger/kms-domain';
import { loadConfig, loadSchedulerConfig } from '@keyledger/runtime';
import { runOnce, startScheduler } from '../src/bootstrap';
import { composeSchedulerRuntime } from '../src/composition/scheduler-runtime';
import { DAY_MS, T0, actor, fastPolicies, localProvider } from './support/harness';

const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' });
const scheduler = loadSchedulerConfig({});
const silent = new Writable({ write: (_c, _e, done) => done() });

/** A runtime on a fresh in-memory store with `count` keys that are due for rotation. */
async function dueFleet(count: number) {
  const store = new InMemoryEventStore();
  const provider = await localProvider();
  const clock = new FixedClock(T0);
  const runtime = await composeSchedulerRuntime({ store, provider, clock, policyOptions: fastPolicies, owned: false });
  const keyIds: string[] = [];
  for (let i = 0; i < count; i++) keyIds.push((await runtime.ops.lifecycle.create(actor, { tenantId: 'acme', name: `k${i}`, purpose: 'encrypt', rotationPeriodDays: 30 })).key.keyId);
  clock.advance(31 * DAY_MS);
  return { store, provider, runtime, keyIds };
}

describe('--once', () => {
  it('runs every job one time and resolves 0 when all succeeded', async () => {
    const { store, provider, runtime, keyIds } = await dueFleet(3);
    expect(await runOnce(config, { runtime, scheduler, logDestination: silent })).toBe(0);
    for (const keyId of keyIds) {
      const types = (await store.readStream(keyStream('acme', keyId))).map((e) => e.type);
      expect(types).toEqual(['KeyCreated', 'KeyRotated']);
    }
    await provider.close();
    await store.close();
  });

  it('resolves 1 when a job failed (provider outage), after trying every key', async () => {
    const { store, provider, runtime } = await dueFleet(3);
    provider.down = true;
    const before = provider.calls;
    expect(await runOnce(config, { runtime, scheduler, logDestination: silent })).toBe(1);
    expect(provider.calls).toBeGreaterThan(before);
    const failures = (await store.readAll()).filter((e) => e.type === 'KeyRotationFailed');
    expect(failures).toHaveLength(3);
    await provider.close();
    await store.close();
  });

  it('registers no cron jobs', async () => {
    const { runtime } = await dueFleet(0);
    const app = await startScheduler(config, { runtime, scheduler, logDestination: silent, once: true, noHttp: true });
    try {
      expect(app.get(SchedulerRegistry).getCronJobs().size).toBe(0);
    } finally {
      await app.close();
    }
  });
});

describe('scheduler service', () => {
  it('schedules rotation at 02:00 UTC, deletions and break-glass expiry, and is ready when store and provider answer', async () => {
    const { runtime } = await dueFleet(1);
    const app = await startScheduler(config, { runtime, scheduler, logDestination: silent, observability: { httpPort: 0 } });
    try {
      const crons = app.get(SchedulerRegistry).getCronJobs();
      expect([...crons.keys()].sort()).toEqual(['break-glass-expiry', 'key-deletion', 'rotation', 'version-trim']);
      const next = crons.get('rotation')?.nextDate().toUTC();
      expect([next?.hour, next?.minute]).toEqual([2, 0]);
      const address = app.getHttpServer().address();
      if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
      const base = `http://127.0.0.1:${address.port}`;
      const ready = await fetch(`${base}/health/ready`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'ok', details: { kms: { status: 'up' }, eventstore: { status: 'up' } } });
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toMatch(/^kms_keys_rotation_overdue 1$/m);
    } finally {
      await app.close();
    }
  });

  it('does not schedule rotation when KMS_ROTATION_ENABLED=false', async () => {
    const { runtime } = await dueFleet(0);
    const app = await startScheduler(config, { runtime, scheduler: loadSchedulerConfig({ KMS_ROTATION_ENABLED: 'false' }), logDestination: silent, observability: { httpPort: 0 } });
    try {
      expect([...app.get(SchedulerRegistry).getCronJobs().keys()].sort()).toEqual(['break-glass-expiry', 'key-deletion', 'version-trim']);
    } finally {
      await app.close();
    }
  });

  it('refuses to start on a cron expression that does not parse, naming the variable', async () => {
    const { runtime } = await dueFleet(0);
    const bad = { ...scheduler, rotationCron: '99 99 * * *' };
    await expect(startScheduler(config, { runtime, scheduler: bad, logDestination: silent, observability: { httpPort: 0 } })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('KMS_ROTATION_CRON'),
    });
  });
});
