import { keyStream } from '@keyledger/kms-domain';
import { DAY_MS, actor, localProvider, newWorld, schedulerOn, type SchedulerUnderTest } from './support/harness';

const scheduledRotations = async (s: SchedulerUnderTest, tenantId: string, keyId: string) =>
  (await s.runtime.ports.store.readStream(keyStream(tenantId, keyId))).filter((e) => e.type === 'KeyRotated').length;

describe('two scheduler replicas on one store', () => {
  it('race on the same due keys and rotate each exactly once per period (conflict, re-read, skip)', async () => {
    const { store, clock } = newWorld();
    const provider = await localProvider();
    const a = await schedulerOn(store, provider, clock);
    const b = await schedulerOn(store, provider, clock);
    try {
      const keys = [];
      for (let i = 0; i < 40; i++) keys.push((await a.runtime.ops.lifecycle.create(actor, { tenantId: 'acme', name: `k${i}`, purpose: 'encrypt', rotationPeriodDays: 10 })).key);
      for (let day = 1; day <= 30; day++) {
        clock.advance(DAY_MS);
        const [okA, okB] = await Promise.all([a.jobs.rotate(), b.jobs.rotate()]);
        expect(okA && okB).toBe(true);
      }
      for (const k of keys) expect(await scheduledRotations(a, 'acme', k.keyId)).toBe(3);
      const rotated = a.recorder.outcomes.rotated + b.recorder.outcomes.rotated;
      expect(rotated).toBe(120);
      // Both replicas raced for every due key: what one rotated, the other skipped.
      expect(a.recorder.outcomes.skipped + b.recorder.outcomes.skipped).toBe(120);
      expect(a.recorder.outcomes.rotated).toBeGreaterThan(0);
      expect(b.recorder.outcomes.rotated).toBeGreaterThan(0);
    } finally {
      await a.runtime.close();
      await b.runtime.close();
      await provider.close();
      await store.close();
    }
  }, 60_000);
});

describe('provider outage during a run', () => {
  it('records KeyRotationFailed per key and a failed outcome, goes on with the others, and the next run catches up', async () => {
    const { store, clock } = newWorld();
    const provider = await localProvider();
    const s = await schedulerOn(store, provider, clock);
    try {
      const keys = [];
      for (let i = 0; i < 12; i++) keys.push((await s.runtime.ops.lifecycle.create(actor, { tenantId: 'acme', name: `k${i}`, purpose: i % 2 ? 'sign' : 'encrypt', rotationPeriodDays: 30 })).key);
      clock.advance(30 * DAY_MS);
      provider.down = true;
      expect(await s.jobs.rotate()).toBe(false);
      expect(s.recorder.outcomes).toEqual({ rotated: 0, skipped: 0, failed: 12 });
      expect(s.recorder.lastCompleted).toBe(0);
      const codes = new Set<string>();
      for (const k of keys) {
        const events = await store.readStream(keyStream('acme', k.keyId));
        const failures = events.filter((e) => e.type === 'KeyRotationFailed');
        expect(failures).toHaveLength(1);
        const data = failures[0].data as { code: string; reason: string; primaryVersion: number; runId: string };
        expect(data).toMatchObject({ reason: 'scheduled', primaryVersion: 1 });
        expect(data.runId).toMatch(/^rotation-/);
        codes.add(data.code);
      }
      // The provider's own error first, then the open breaker refusing without calling it.
      expect([...codes].sort()).toEqual(['CIRCUIT_OPEN', 'KMS_UNAVAILABLE']);
      // Failed keys stay due; a day later they are overdue until the next run.
      clock.advance(DAY_MS);
      s.jobs.refreshGauges();
      expect(s.recorder.overdue).toBe(12);

      provider.down = false;
      await new Promise((r) => setTimeout(r, 40)); // the breaker half-opens after 20 ms in these tests
      expect(await s.jobs.rotate()).toBe(true);
      expect(s.recorder.outcomes).toEqual({ rotated: 12, skipped: 0, failed: 12 });
      expect(s.recorder.overdue).toBe(0);
      expect(s.recorder.lastCompleted).toBe(Math.floor(clock.now().getTime() / 1000));
      for (const k of keys) expect((await s.runtime.ops.lifecycle.get('acme', k.keyId)).key.primaryVersion).toBe(2);
    } finally {
      await s.runtime.close();
      await provider.close();
      await store.close();
    }
  }, 60_000);
});
