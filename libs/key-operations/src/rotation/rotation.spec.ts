import { keyStream } from '@keyledger/kms-domain';
import { actor, startOps } from '../../test/support/fixture';
import { KeyRotation } from './rotation-run';
import { RotationPacer } from './rotation-pacer';
import { effectiveRotationStatus, errorCodeOf } from './rotation-policy';

const DAY = 86_400_000;

describe('RotationPacer', () => {
  it('spaces starts at least 60 s / maxPerMinute apart, with at most jitterRatio extra, and never sleeps without a cap', async () => {
    let now = 0;
    const waits: number[] = [];
    const starts: number[] = [];
    const sleep = async (ms: number) => {
      waits.push(ms);
      now += ms;
    };
    const pacer = new RotationPacer({ maxPerMinute: 120, jitterRatio: 0.5, random: () => 0.999, sleep, monotonic: () => now });
    for (let i = 0; i < 10; i++) {
      await pacer.slot();
      starts.push(now);
    }
    const gaps = starts.slice(1).map((t, i) => t - starts[i]);
    for (const gap of gaps) {
      expect(gap).toBeGreaterThanOrEqual(500);
      expect(gap).toBeLessThanOrEqual(750);
    }
    // 120 a minute: never more than 120 starts in any minute.
    expect(starts.filter((t) => t < starts[0] + 60_000).length).toBeLessThanOrEqual(120);
    const free = new RotationPacer({ sleep });
    waits.length = 0;
    await free.slot();
    await free.slot();
    expect(waits).toEqual([]);
  });
});

describe('KeyRotation', () => {
  it('rotates only due keys with reason scheduled; a key period longer than maxAgeDays is capped', async () => {
    const { ops, store, clock } = await startOps();
    const ports = { store, provider: ops.gateway.provider, clock, ids: { next: () => 'x1' } };
    const rotation = new KeyRotation(ports, ops.views, ops.lifecycle);
    const short = (await ops.lifecycle.create(actor, { tenantId: 'acme', name: 'short', purpose: 'encrypt', rotationPeriodDays: 10 })).key;
    const long = (await ops.lifecycle.create(actor, { tenantId: 'acme', name: 'long', purpose: 'sign', rotationPeriodDays: 365 })).key;
    await ops.lifecycle.disable(actor, 'acme', (await ops.lifecycle.create(actor, { tenantId: 'acme', name: 'off', purpose: 'encrypt', rotationPeriodDays: 1 })).key.keyId);
    clock.advance(9 * DAY);
    expect(await rotation.run(actor, { select: 'due', reason: 'scheduled', maxAgeDays: 30 })).toMatchObject({ status: 'success', total: 0 });
    clock.advance(1 * DAY);
    const first = await rotation.run(actor, { select: 'due', reason: 'scheduled', maxAgeDays: 30 });
    expect(first).toMatchObject({ status: 'success', total: 1, rotated: 1, keys: [{ keyId: short.keyId, version: 2 }] });
    clock.advance(20 * DAY);
    const second = await rotation.run(actor, { select: 'due', reason: 'scheduled', maxAgeDays: 30 });
    expect(second.keys.map((k) => k.keyId).sort()).toEqual([long.keyId, short.keyId].sort());
    const rotatedEvent = (await store.readStream(keyStream('acme', long.keyId))).find((e) => e.type === 'KeyRotated');
    expect(rotatedEvent?.data).toMatchObject({ reason: 'scheduled', version: 2 });
    await ops.stop();
  });

  it('rotate-all (the API) goes through the same use case: every Enabled key, reason manual, failures not recorded as events', async () => {
    const { ops, store, provider } = await startOps();
    const k = (await ops.lifecycle.create(actor, { tenantId: 'acme', name: 'a', purpose: 'encrypt' })).key;
    const first = await ops.admin.rotateAll(actor);
    await ops.rotationJobs.idle();
    expect(await ops.admin.rotationJob(first.jobId)).toMatchObject({ status: 'completed', total: 1, rotated: 1, skipped: 0, failed: 0 });
    provider.fault = 'KMS_ACCESS_DENIED';
    const second = await ops.admin.rotateAll(actor);
    await ops.rotationJobs.idle();
    expect(await ops.admin.rotationJob(second.jobId)).toMatchObject({ status: 'completed', rotated: 0, failed: 1 });
    const types = (await store.readStream(keyStream('acme', k.keyId))).map((e) => e.type);
    expect(types).toEqual(['KeyCreated', 'KeyRotated']);
    await ops.stop();
  });
});

describe('rotation policy helpers', () => {
  it('keeps error codes only when they look like codes', () => {
    expect(errorCodeOf({ code: 'KMS_TIMEOUT' })).toBe('KMS_TIMEOUT');
    expect(errorCodeOf(new Error('connect ECONNREFUSED 10.1.2.3'))).toBe('UNEXPECTED');
    expect(errorCodeOf({ code: 'arn:aws:kms:secret' })).toBe('UNEXPECTED');
    expect(errorCodeOf(null)).toBe('UNEXPECTED');
  });

  it('treats non-Enabled keys as never due', () => {
    const key = { status: 'Disabled', rotationPeriodDays: 1, lastRotatedAt: '2020-01-01T00:00:00Z' } as never;
    expect(effectiveRotationStatus(key, new Date(), 1)).toMatchObject({ applicable: false, due: false });
  });
});
