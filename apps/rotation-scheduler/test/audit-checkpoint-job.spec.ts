import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { SchedulerRegistry } from '@nestjs/schedule';
import { startTestWitness } from '@keyledger/testing';
import { AUDIT_CHECKPOINT_STREAM, AUDIT_COSIGNATURE_STREAM, AUDIT_KEY_STREAM, ProviderAuditKey, auditKeyPem, noteVerifierKey, readAuditKey, readAuditNoteKey, verifyCheckpointNote, type AuditCheckpointSigned } from '@keyledger/audit';
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

  it('asks the witnesses after signing: stores the cosignature, and reports a witness that is down by metric and readiness without failing the run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keyledger-scheduler-witness-'));
    const { store, clock } = newWorld();
    const provider = await localProvider();
    const { runtime } = await schedulerOn(store, provider, clock);
    await runtime.ops.lifecycle.create(actor, { tenantId: 'acme', name: 'k1', purpose: 'sign' });
    const note = await new ProviderAuditKey(store, provider, () => ({ eventId: `e-${Math.random()}`, occurredAt: clock.now().toISOString(), actor: 'service:test', correlationId: 'c', causationId: null })).noteRecord();
    const up = await startTestWitness({ name: 'witness.test/up', logs: [{ origin: note.keyName, vkey: note.verifierKey }], stateFile: join(dir, 'up.json') });
    const down = await startTestWitness({ name: 'witness.test/down', logs: [], stateFile: join(dir, 'down.json') });
    await down.close();
    const scheduler = loadSchedulerConfig({ AUDIT_WITNESSES: `${up.url} ${up.vkey}, ${down.url} ${down.vkey}` });
    const app = await startScheduler(config, { runtime, scheduler, logDestination: silent, observability: { httpPort: 0 } });
    try {
      expect(await app.get(AuditCheckpointJob).run()).toBe(true);
      expect(await checkpoints(store)).toHaveLength(1);
      const cosigned = await store.readStream(AUDIT_COSIGNATURE_STREAM);
      expect(cosigned.map((e) => (e.data as { witness: string }).witness)).toEqual(['witness.test/up']);
      expect(up.recorded(note.keyName)?.size).toBe((await checkpoints(store))[0].treeSize);

      const address = app.getHttpServer().address();
      if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
      const base = `http://127.0.0.1:${address.port}`;
      const ready = await fetch(`${base}/health/ready`);
      expect(ready.status).toBe(200);
      const body = (await ready.json()) as { details: Record<string, { status: string; witnesses?: Record<string, string> }> };
      expect(body.details['audit-witnesses']).toEqual({
        status: 'up',
        witnesses: { 'witness.test/up': expect.stringMatching(/^cosigned at size \d+$/), 'witness.test/down': expect.stringMatching(/^failed: unreachable at size \d+$/) },
      });
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toContain('audit_witness_up{witness="witness.test/up"} 1');
      expect(metrics).toContain('audit_witness_up{witness="witness.test/down"} 0');
      expect(metrics).toContain('audit_witness_cosignatures_total{witness="witness.test/down",outcome="unreachable"} 1');

      // The next run has nothing to sign and the cosignature is stored: no request for it again.
      const answered = up.answered.get(200);
      expect(await app.get(AuditCheckpointJob).run()).toBe(true);
      expect(up.answered.get(200)).toBe(answered);
    } finally {
      await app.close();
      await up.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
