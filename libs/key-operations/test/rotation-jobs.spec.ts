import { randomUUID } from 'node:crypto';
import { FixedClock, InMemoryReadModels, keyStream, rotationJobsCurrentStream, rotationJobStream } from '@keyledger/kms-domain';
import { defaultResiliencePolicyOptions } from '@keyledger/resilience';
import { createKeyOperations, type KeyOperations, type RotationJobsSettings } from '../src';
import { actor } from './support/fixture';
import { MemoryProvider } from './support/memory-provider';
import { MemoryStore } from './support/memory-store';

const LEASE = 120_000;

/** Instances sharing one store, provider and clock, as API processes sharing one data directory. */
function fleet() {
  const store = new MemoryStore();
  const provider = new MemoryProvider();
  const clock = new FixedClock(new Date('2025-06-01T00:00:00Z'));
  const instances: KeyOperations[] = [];
  /** A sleep that moves the clock (and a monotonic time) instead of waiting, recording each wait. */
  const waits: number[] = [];
  let monotonic = 0;
  const fakeSleep = async (ms: number) => {
    waits.push(ms);
    monotonic += ms;
    clock.advance(ms);
  };
  async function instance(name: string, settings: RotationJobsSettings = {}): Promise<KeyOperations> {
    const ops = createKeyOperations({
      readModels: new InMemoryReadModels(),
      store,
      provider,
      clock,
      ids: { next: () => randomUUID() },
      instance: name,
      policyOptions: (n) => ({ ...defaultResiliencePolicyOptions(n), retry: { ...defaultResiliencePolicyOptions(n).retry, delayMs: 0, jitterMs: 0 } }),
      rotationJobs: { leaseMs: LEASE, sleep: fakeSleep, monotonic: () => monotonic, ...settings },
    });
    await ops.start();
    instances.push(ops);
    return ops;
  }
  const rotationsOf = async (keyId: string) => (await store.readStream(keyStream('acme', keyId))).filter((e) => e.type === 'KeyRotated');
  const stopAll = () => Promise.all(instances.map((ops) => ops.stop()));
  return { store, clock, waits, fakeSleep, instance, rotationsOf, stopAll };
}

async function createKeys(ops: KeyOperations, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push((await ops.lifecycle.create(actor, { tenantId: 'acme', name: `k${i}`, purpose: 'encrypt' })).key.keyId);
  return ids;
}

/** A sleep that blocks on a gate once `free` pacer waits have passed (`blocked` resolves then), so a job stays running. */
function gatedSleep(base: (ms: number) => Promise<void>, free: number) {
  let release: () => void = () => undefined;
  let reached: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const blocked = new Promise<void>((resolve) => (reached = resolve));
  let paced = 0;
  const sleep = async (ms: number, signal?: AbortSignal) => {
    if (ms >= 1000 && ++paced > free) {
      reached();
      await Promise.race([gate, new Promise((resolve) => signal?.addEventListener('abort', resolve, { once: true }))]);
    }
    await base(ms);
  };
  return { sleep, blocked, release: () => release() };
}

describe('rotate-all jobs', () => {
  it('answer at once with a running job, then rotate every Enabled key once with reason manual, under the job id', async () => {
    const f = fleet();
    const ops = await f.instance('api-a');
    const keys = await createKeys(ops, 3);
    await ops.lifecycle.disable(actor, 'acme', (await ops.lifecycle.create(actor, { tenantId: 'acme', name: 'off', purpose: 'sign' })).key.keyId);
    const job = await ops.admin.rotateAll(actor);
    expect(job).toMatchObject({ status: 'running', total: 3, rotated: 0, skipped: 0, failed: 0, remaining: 3, finishedAt: null });
    await ops.rotationJobs.idle();
    expect(await ops.admin.rotationJob(job.jobId)).toMatchObject({ jobId: job.jobId, status: 'completed', total: 3, rotated: 3, skipped: 0, failed: 0, remaining: 0 });
    for (const keyId of keys) {
      const rotated = await f.rotationsOf(keyId);
      expect(rotated).toHaveLength(1);
      expect(rotated[0].data).toMatchObject({ reason: 'manual' });
      expect(rotated[0].metadata).toMatchObject({ actor: actor.subject, correlationId: job.jobId });
    }
    await expect(ops.admin.rotationJob('rotation-job-unknown')).rejects.toMatchObject({ code: 'ROTATION_JOB_NOT_FOUND' });
    await f.stopAll();
  });

  it('paces rotations by maxPerMinute (a fake sleep: 60 a minute is one a second, no jitter)', async () => {
    const f = fleet();
    const ops = await f.instance('api-a', { maxPerMinute: 60 });
    await createKeys(ops, 4);
    await ops.admin.rotateAll(actor);
    await ops.rotationJobs.idle();
    expect(f.waits.filter((ms) => ms >= 1000)).toEqual([1000, 1000, 1000]);
    await f.stopAll();
  });

  it('records cumulative progress every few keys and completes with the final counts', async () => {
    const f = fleet();
    const ops = await f.instance('api-a', { progressEvery: 2 });
    await createKeys(ops, 5);
    const job = await ops.admin.rotateAll(actor);
    await ops.rotationJobs.idle();
    const events = await f.store.readStream(rotationJobStream(job.jobId));
    expect(events.map((e) => e.type)).toEqual(['RotationJobStarted', 'RotationJobProgressed', 'RotationJobProgressed', 'RotationJobCompleted']);
    expect(events.map((e) => (e.data as { rotated?: number }).rotated)).toEqual([undefined, 2, 4, 5]);
    await f.stopAll();
  });

  it('a polled job is read from where this process last folded it, not from its start', async () => {
    const f = fleet();
    const ops = await f.instance('api-a', { progressEvery: 1 });
    await createKeys(ops, 6);
    const job = await ops.admin.rotateAll(actor);
    await ops.rotationJobs.idle();
    const read: number[] = [];
    const original = f.store.readStream.bind(f.store);
    f.store.readStream = async (stream, options) => {
      const page = await original(stream, options);
      if (stream === rotationJobStream(job.jobId)) read.push(page.length);
      return page;
    };
    expect(await ops.admin.rotationJob(job.jobId)).toMatchObject({ status: 'completed', rotated: 6 });
    expect(await ops.admin.rotationJob(job.jobId)).toMatchObject({ status: 'completed', rotated: 6 });
    // Started, six progress records and the completion are folded once; later polls read nothing new.
    expect(read.slice(-1)).toEqual([0]);
    await f.stopAll();
  });

  it('answer a second start while a job runs with the same job: one claim, every key rotated once', async () => {
    const f = fleet();
    const gated = gatedSleep(f.fakeSleep, 1);
    const ops = await f.instance('api-a', { maxPerMinute: 60, sleep: gated.sleep });
    const keys = await createKeys(ops, 4);
    const first = await ops.admin.rotateAll(actor);
    const second = await ops.admin.rotateAll({ subject: 'user:other', correlationId: 'req-2' });
    expect(second.jobId).toBe(first.jobId);
    gated.release();
    await ops.rotationJobs.idle();
    expect(await f.store.readStream(rotationJobsCurrentStream())).toHaveLength(1);
    for (const keyId of keys) expect(await f.rotationsOf(keyId)).toHaveLength(1);
    await f.stopAll();
  });

  it('run one job when two instances start at once on one store', async () => {
    const f = fleet();
    const a = await f.instance('api-a');
    const b = await f.instance('api-b');
    const keys = await createKeys(a, 12);
    await b.views.waitFor(await f.store.headPosition());
    const [ja, jb] = await Promise.all([a.admin.rotateAll(actor), b.admin.rotateAll(actor)]);
    expect(jb.jobId).toBe(ja.jobId);
    await Promise.all([a.rotationJobs.idle(), b.rotationJobs.idle()]);
    for (const keyId of keys) expect(await f.rotationsOf(keyId)).toHaveLength(1);
    expect(await a.admin.rotationJob(ja.jobId)).toMatchObject({ status: 'completed', rotated: 12, remaining: 0 });
    await f.stopAll();
  });

  it('resume after a restart once the lease has passed, rotating only the keys not yet rotated', async () => {
    const f = fleet();
    const gated = gatedSleep(f.fakeSleep, 2);
    const a = await f.instance('api-a', { maxPerMinute: 60, sleep: gated.sleep });
    const keys = await createKeys(a, 6);
    const job = await a.admin.rotateAll(actor);
    await gated.blocked;
    await a.stop(); // the restart: stopped between two keys, its counts recorded
    const halfway = await a.admin.rotationJob(job.jobId);
    expect(halfway).toMatchObject({ status: 'running', rotated: 3, remaining: 3 });
    const b = await f.instance('api-b', { maxPerMinute: 60 });
    expect(await b.rotationJobs.resumeAbandoned()).toBeNull();
    expect((await b.admin.rotateAll(actor)).jobId).toBe(job.jobId);
    f.clock.advance(LEASE);
    expect(await b.rotationJobs.resumeAbandoned()).toMatchObject({ jobId: job.jobId, rotated: 3 });
    await b.rotationJobs.idle();
    expect(await b.admin.rotationJob(job.jobId)).toMatchObject({ status: 'completed', total: 6, rotated: 6, skipped: 0 });
    for (const keyId of keys) expect(await f.rotationsOf(keyId)).toHaveLength(1);
    const resumed = (await f.store.readStream(rotationJobStream(job.jobId))).find((e) => e.type === 'RotationJobResumed');
    expect(resumed?.data).toMatchObject({ resumedBy: 'api-b', previousOwner: 'api-a' });
    await f.stopAll();
  });

  it('stop the old owner when another instance resumed its job: its later appends are refused, no key rotated twice', async () => {
    const f = fleet();
    const gated = gatedSleep(f.fakeSleep, 1);
    const a = await f.instance('api-a', { maxPerMinute: 60, progressEvery: 1, sleep: gated.sleep });
    const keys = await createKeys(a, 5);
    const job = await a.admin.rotateAll(actor);
    await gated.blocked;
    const b = await f.instance('api-b', { maxPerMinute: 60 });
    f.clock.advance(LEASE);
    expect(await b.rotationJobs.resumeAbandoned()).toMatchObject({ jobId: job.jobId });
    await b.rotationJobs.idle();
    gated.release(); // the old owner wakes up, still holding its page of candidates
    await a.rotationJobs.idle();
    for (const keyId of keys) expect(await f.rotationsOf(keyId)).toHaveLength(1);
    const events = await f.store.readStream(rotationJobStream(job.jobId));
    expect(events[events.length - 1].type).toBe('RotationJobCompleted');
    expect(events.filter((e) => e.type === 'RotationJobCompleted')).toHaveLength(1);
    await f.stopAll();
  });

  it('wait for a job claimed by another instance to start; take the slot over once its claimer stayed silent for the lease', async () => {
    const f = fleet();
    const ops = await f.instance('api-a', { startWaitMs: 60 });
    const [keyId] = await createKeys(ops, 1);
    // An instance that died between its claim and the job's start.
    const claimedAt = f.clock.now().toISOString();
    await f.store.append(rotationJobsCurrentStream(), [
      { type: 'RotationJobClaimed', schemaVersion: 1, data: { jobId: 'rotation-job-lost', claimedBy: 'api-dead', claimedAt }, metadata: { eventId: 'e1', occurredAt: claimedAt, actor: 'service:api-dead', correlationId: 'c1', causationId: null } },
    ]);
    await expect(ops.admin.rotateAll(actor)).rejects.toMatchObject({ code: 'ROTATION_JOB_STARTING', retryAfterMs: 1000 });
    f.clock.advance(LEASE);
    const job = await ops.admin.rotateAll(actor);
    expect(job.jobId).not.toBe('rotation-job-lost');
    await ops.rotationJobs.idle();
    expect(await ops.admin.rotationJob(job.jobId)).toMatchObject({ status: 'completed', rotated: 1 });
    expect(await f.rotationsOf(keyId)).toHaveLength(1);
    await f.stopAll();
  });

  it('start a new job once the previous one completed', async () => {
    const f = fleet();
    const ops = await f.instance('api-a');
    const [keyId] = await createKeys(ops, 1);
    const first = await ops.admin.rotateAll(actor);
    await ops.rotationJobs.idle();
    const second = await ops.admin.rotateAll(actor);
    expect(second.jobId).not.toBe(first.jobId);
    await ops.rotationJobs.idle();
    expect(await f.rotationsOf(keyId)).toHaveLength(2);
    await f.stopAll();
  });
});
