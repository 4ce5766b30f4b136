import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@keyledger/adapters';
import { keyStream } from '@keyledger/kms-domain';
import { TOKENS, startHarness, type Harness } from './support/api-harness';

jest.setTimeout(120_000);

const ROTATE_ALL = '/api/admin/kms/rotate-all-keys';

describe('rotate-all as a background job, over HTTP', () => {
  let dataDir: string;
  const harnesses: Harness[] = [];
  const start = async (env: Record<string, string> = {}): Promise<Harness> => {
    const h = await startHarness({ KEYLEDGER_DATA_DIR: dataDir, ...env });
    harnesses.push(h);
    return h;
  };
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'keyledger-jobs-'));
  });
  afterEach(async () => {
    await Promise.all(harnesses.splice(0).map((h) => h.close()));
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function createKeys(h: Harness, count: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const res = await h.call('POST', '/v1/keys', TOKENS.admin, { tenantId: 'acme', name: `k${i}`, purpose: i % 2 === 0 ? 'sign' : 'encrypt' });
      expect(res.status).toBe(201);
      ids.push(res.body.keyId as string);
    }
    return ids;
  }

  async function completed(h: Harness, jobId: string, deadlineMs = 60_000): Promise<Record<string, unknown>> {
    const until = Date.now() + deadlineMs;
    for (;;) {
      const res = await h.call('GET', `/api/admin/kms/jobs/${jobId}`, TOKENS.admin);
      expect(res.status).toBe(200);
      if (res.body.status === 'completed') return res.body;
      if (Date.now() > until) throw new Error(`job ${jobId} did not complete: ${JSON.stringify(res.body)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('two API instances on one data dir (one SQLite file), rotate-all fired at both at once: one job, every key rotated exactly once', async () => {
    const a = await start({ KMS_ROTATION_MAX_PER_MINUTE: '100000' });
    const b = await start({ KMS_ROTATION_MAX_PER_MINUTE: '100000' });
    const keys = await createKeys(a, 30);
    // Several calls at each instance at once, on connections opened beforehand, so their reads and claims interleave.
    await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? a : b).call('GET', '/health/live', null)));
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? a : b).call('POST', ROTATE_ALL, TOKENS.admin, {})));
    const [ra] = answers;
    expect(answers.map((r) => r.status)).toEqual(answers.map(() => 202));
    expect(new Set(answers.map((r) => r.body.jobId))).toEqual(new Set([ra.body.jobId]));
    expect(ra.body).toMatchObject({ total: 30 });
    const job = await completed(b, ra.body.jobId);
    expect(job).toMatchObject({ jobId: ra.body.jobId, status: 'completed', total: 30, rotated: 30, skipped: 0, failed: 0, remaining: 0 });
    for (const keyId of keys) expect((await a.call('GET', `/v1/keys/${keyId}`, TOKENS.admin)).body.primaryVersion).toBe(2);
    const store = SqliteEventStore.open({ dataDir });
    try {
      for (const keyId of keys) {
        const rotations = (await store.readStream(keyStream('acme', keyId))).filter((e) => e.type === 'KeyRotated');
        expect({ keyId, rotations: rotations.length }).toEqual({ keyId, rotations: 1 });
      }
    } finally {
      await store.close();
    }
    // The job is over: the next call starts a new one.
    const next = await a.call('POST', ROTATE_ALL, TOKENS.admin, {});
    expect(next.status).toBe(202);
    expect(next.body.jobId).not.toBe(ra.body.jobId);
    await completed(a, next.body.jobId);
  });

  it('answers 202 before the work is done when paced, and shows the progress until completed', async () => {
    const h = await start({ KMS_ROTATION_MAX_PER_MINUTE: '120' });
    await createKeys(h, 4);
    const started = Date.now();
    const res = await h.call('POST', ROTATE_ALL, TOKENS.admin, {});
    expect(res.status).toBe(202);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(res.body).toMatchObject({ status: 'running', total: 4, finishedAt: null });
    expect(res.body.rotated).toBeLessThan(4);
    const again = await h.call('POST', ROTATE_ALL, TOKENS.admin, {});
    expect(again).toMatchObject({ status: 202, body: { jobId: res.body.jobId, status: 'running' } });
    const job = await completed(h, res.body.jobId);
    // 120 a minute: at least three half-second gaps between four rotations.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
    expect(job).toMatchObject({ rotated: 4, remaining: 0, finishedAt: expect.any(String) });
  });

  it('refuses a malformed job id with 400 without echoing it, an unknown one with 404, and non-admins', async () => {
    const h = await start();
    const bad = 'not<a>job%20id';
    const malformed = await h.call('GET', `/api/admin/kms/jobs/${bad}`, TOKENS.admin);
    expect(malformed).toMatchObject({ status: 400, body: { error: { code: 'REQUEST_INVALID' } } });
    expect(JSON.stringify(malformed.body)).not.toContain('not<a>job');
    const unknown = await h.call('GET', '/api/admin/kms/jobs/rotation-job-0000', TOKENS.admin);
    expect(unknown).toMatchObject({ status: 404, body: { error: { code: 'ROTATION_JOB_NOT_FOUND' } } });
    expect(JSON.stringify(unknown.body)).not.toContain('rotation-job-0000');
    expect((await h.call('GET', '/api/admin/kms/jobs/rotation-job-0000', TOKENS.acmeClient)).status).toBe(403);
    expect((await h.call('GET', '/api/admin/kms/jobs/rotation-job-0000', null)).status).toBe(401);
    expect((await h.call('POST', ROTATE_ALL, TOKENS.admin, { all: true })).status).toBe(400);
  });
});
