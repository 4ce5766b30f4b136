import { keyStream, type EventStore } from '@keyledger/kms-domain';
import { DAY_MS, actor, localProvider, newWorld, schedulerOn } from './support/harness';

const PERIODS = [7, 14, 30, 45, 90, 180, 365];
const MAX_AGE_DAYS = 90;
const KEYS = 200;
const DAYS = 400;

/** Creation then rotation times of a key, in ms, and how many rotations were scheduled. */
async function versionTimes(store: EventStore, tenantId: string, keyId: string): Promise<{ times: number[]; reasons: string[] }> {
  const events = await store.readStream(keyStream(tenantId, keyId));
  const times: number[] = [];
  const reasons: string[] = [];
  for (const e of events) {
    const data = e.data as { createdAt?: string; rotatedAt?: string; reason?: string };
    if (e.type === 'KeyCreated') times.push(Date.parse(data.createdAt ?? ''));
    if (e.type === 'KeyRotated') {
      times.push(Date.parse(data.rotatedAt ?? ''));
      reasons.push(data.reason ?? '');
    }
  }
  return { times, reasons };
}

describe('rotation over a simulated 400 days (fake clock, in-memory store, 200 keys)', () => {
  it('rotates every key within its period (or KMS_ROTATION_MAX_AGE_DAYS) and never twice in one', async () => {
    const { store, clock } = newWorld();
    const provider = await localProvider();
    const s = await schedulerOn(store, provider, clock, { maxAgeDays: MAX_AGE_DAYS });
    try {
    const keys: { tenantId: string; keyId: string; period: number }[] = [];
    const HOUR = DAY_MS / 24;
    for (let day = 0; day < DAYS; day++) {
      // Keys appear over the first days at different hours between two nightly runs.
      const fresh = day < 10 ? KEYS / 10 : 0;
      for (let j = 0; j < fresh; j++) {
        clock.advance(HOUR);
        const i = keys.length;
        const period = PERIODS[i % PERIODS.length];
        const tenantId = `tenant-${i % 5}`;
        const { key } = await s.runtime.ops.lifecycle.create(actor, { tenantId, name: `k${i}`, purpose: i % 3 === 0 ? 'sign' : 'encrypt', rotationPeriodDays: period });
        keys.push({ tenantId, keyId: key.keyId, period: Math.min(period, MAX_AGE_DAYS) });
      }
      clock.advance(DAY_MS - fresh * HOUR);
      expect(await s.jobs.rotate()).toBe(true);
      expect(s.recorder.overdue).toBe(0);
    }
    expect(keys).toHaveLength(KEYS);
    let rotations = 0;
    for (const k of keys) {
      const { times, reasons } = await versionTimes(store, k.tenantId, k.keyId);
      const gaps = times.slice(1).map((t, i) => t - times[i]);
      rotations += gaps.length;
      // Due once a period has passed; the nightly run catches it within a day (before it is overdue).
      for (const gap of gaps) {
        expect(gap).toBeGreaterThanOrEqual(k.period * DAY_MS);
        expect(gap).toBeLessThan((k.period + 1) * DAY_MS);
      }
      expect(clock.now().getTime() - times[times.length - 1]).toBeLessThan((k.period + 1) * DAY_MS);
      expect(reasons.every((r) => r === 'scheduled')).toBe(true);
    }
    expect(rotations).toBe(s.recorder.outcomes.rotated);
    expect(s.recorder.outcomes.failed).toBe(0);
    expect(s.recorder.lastCompleted).toBe(Math.floor(clock.now().getTime() / 1000));
    } finally {
      await s.runtime.close();
      await provider.close();
      await store.close();
    }
  }, 120_000);
});
