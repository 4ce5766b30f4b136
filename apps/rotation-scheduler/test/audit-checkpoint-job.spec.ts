import { Writable } from 'node:stream';
import { SchedulerRegistry } from '@nestjs/schedule';
import { AUDIT_CHECKPOINT_STREAM, AUDIT_KEY_STREAM, auditKeyPem, noteVerifierKey, readAuditKey, readAuditNoteKey, verifyCheckpointNote, type AuditCheckpointSigned } from '@keyledger/audit';
import type { EventStore } from '@keyledger/kms-domain';
import { loadConfig, loadSchedulerConfig } from '@keyledger/runtime';
import { runOnce, startScheduler } from '../src/bootstrap';
import { AUDIT_CHECKPOINT_JOB, AuditCheckpointJob } from '../src/jobs/audit-checkpoint-job';
import type { JobLog } from '../src/jobs/scheduler-jobs';
import { actor, localProvider, newWorld, quietLog, schedulerOn } from './support/harness';

const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' });
const silent = new Writable({ write: (_c, _e, done) => done() });

async function checkpoints(store: EventStore): Promise<AuditCheckpointSigned['data'][]> {
  return (await store.readStream(AUDIT_CHECKPOINT_STREAM)).map((e) => e.data as AuditCheckpointSigned['data']);
}

describe('audit checkpoint job', () => {
  it('creates one audit key for two replicas, signs only when new events exist, and never twice for one head', async () => {
    const { store, clock } = newWorld();
    const provider = await localProvider();
    const { runtime } = await schedulerOn(store, provider, clock);
    const [a, b] = [new AuditCheckpointJob(runtime.ports, quietLog), new AuditCheckpointJob(runtime.ports, quietLog)];
    await runtime.ops.lifecycle.create(actor, { tenantId: 'acme', name: 'k1', purpose: 'sign' });

    expect(await Promise.all([a.run(), b.run()])).toEqual([true, true]);
    expect((await store.readStream(AUDIT_KEY_STREAM)).map((e) => e.type)).toEqual(['AuditKeyCreated', 'AuditNoteKeyCreated']);
    const first = await checkpoints(store);
    expect(first).toHaveLength(1);

    expect(await a.run()).toBe(true);
    expect(await checkpoints(store)).toHaveLength(1);

    await runtime.ops.lifecycle.create(actor, { tenantId: 'acme', name: 'k2', purpose: 'encrypt' });
    expect(await Promise.all([a.run(), b.run()])).toEqual([true, true]);
    const all = await checkpoints(store);
    expect(all).toHaveLength(2);
    expect(all[1].treeSize).toBeGreaterThan(all[0].treeSize);

    const record = await readAuditKey(store);
    if (record === null) throw new Error('no audit key recorded');
    const pinned = noteVerifierKey(auditKeyPem(record));
    for (const c of all) expect(verifyCheckpointNote(c.note, pinned)).toMatchObject({ ok: true, checkpoint: { treeSize: c.treeSize } });
    const noteKey = await readAuditNoteKey(store);
    if (noteKey === null) throw new Error('no note key recorded');
    const ed25519 = noteVerifierKey(Buffer.from(noteKey.publicKey, 'base64'));
    for (const c of all) expect(verifyCheckpointNote(c.note, ed25519)).toMatchObject({ ok: true, keyName: record.origin });
    await runtime.close();
  });

  it('reports a provider outage as a failed run with its code, and signs once the provider is back', async () => {
    const { store, clock } = newWorld();
    const provider = await localProvider();
    const { runtime } = await schedulerOn(store, provider, clock);
    await runtime.ops.lifecycle.create(actor, { tenantId: 'acme', name: 'k1', purpose: 'encrypt' });
    const errors: Record<string, unknown>[] = [];
    const log: JobLog = { info: () => undefined, error: (_m, fields) => errors.push(fields ?? {}) };
    const job = new AuditCheckpointJob(runtime.ports, log);
    provider.down = true;
    expect(await job.run()).toBe(false);
    expect(errors).toEqual([{ job: AUDIT_CHECKPOINT_JOB, code: 'KMS_UNAVAILABLE' }]);
    expect(await checkpoints(store)).toHaveLength(0);
    provider.down = false;
    expect(await job.run()).toBe(true);
    expect(await checkpoints(store)).toHaveLength(1);
    await runtime.close();
  });

  it('is run by --once after the other jobs, and registered as an interval otherwise', async () => {
    const { store, clock } = newWorld();
    const provider = await localProvider();
    const { runtime } = await schedulerOn(store, provider, clock);
    await runtime.ops.lifecycle.create(actor, { tenantId: 'acme', name: 'k1', purpose: 'sign' });
    const scheduler = loadSchedulerConfig({ AUDIT_CHECKPOINT_INTERVAL_MINUTES: '5' });
    expect(scheduler.auditCheckpointIntervalMinutes).toBe(5);
    expect(loadSchedulerConfig({}).auditCheckpointIntervalMinutes).toBe(15);
    expect(() => loadSchedulerConfig({ AUDIT_CHECKPOINT_INTERVAL_MINUTES: '0' })).toThrow(/AUDIT_CHECKPOINT_INTERVAL_MINUTES/);

    expect(await runOnce(config, { runtime, scheduler, logDestination: silent })).toBe(0);
    expect(await checkpoints(store)).toHaveLength(1);

    const again = (await schedulerOn(store, provider, clock)).runtime;
    const app = await startScheduler(config, { runtime: again, scheduler, logDestination: silent, noHttp: true });
    try {
      expect(app.get(SchedulerRegistry).getIntervals()).toContain(AUDIT_CHECKPOINT_JOB);
    } finally {
      await app.close();
    }
  });
});
