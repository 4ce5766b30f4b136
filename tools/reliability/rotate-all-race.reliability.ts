/**
 * Two built API processes on one data directory (one SQLite event store) receive rotate-all at the
 * same time, several calls each (issue 21, item 3): one job runs, and every key is rotated exactly
 * once, as the event store records it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@keyledger/adapters';
import { keyStream } from '@keyledger/kms-domain';
import { startApiProcess, waitUntil, type ApiProcess } from './support/api-process';
import { call } from './support/http';
import { report } from './support/report';
import { OWN_TENANT, writeSuiteTokens } from './support/tokens';

const KEYS = 60;
const ROTATE_ALL = '/api/admin/kms/rotate-all-keys';

describe('two racing rotate-all runs on two API processes sharing one SQLite file', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'keyledger-reliability-rotate-'));
  const tokens = writeSuiteTokens(dataDir);
  const env = {
    NODE_ENV: 'test',
    KMS_PROVIDER: 'local',
    LOCAL_KMS_MASTER_KEY: randomBytes(32).toString('base64'),
    KEYLEDGER_DATA_DIR: dataDir,
    AUTH_TOKENS_FILE: tokens.file,
    RATE_LIMIT_TENANT_RPS: '0',
    KMS_ROTATION_MAX_PER_MINUTE: '100000',
  };
  const apis: ApiProcess[] = [];

  afterAll(async () => {
    for (const api of apis) await api.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs one job and rotates each key once', async () => {
    apis.push(await startApiProcess({ ...env, VIEWS_FILE: join(dataDir, 'views-a.sqlite') }));
    apis.push(await startApiProcess({ ...env, VIEWS_FILE: join(dataDir, 'views-b.sqlite') }));
    const [a, b] = apis as [ApiProcess, ApiProcess];
    const keys: string[] = [];
    for (let i = 0; i < KEYS; i++) {
      const created = await call(a.base, { method: 'POST', path: '/v1/keys', token: tokens.root, body: { tenantId: OWN_TENANT, name: `race-${i}`, purpose: i % 2 === 0 ? 'sign' : 'encrypt' } });
      expect(created.status).toBe(201);
      keys.push((created.json as { keyId: string }).keyId);
    }
    // Both instances must see every key before the race (each folds the store into its own views).
    expect(await waitUntil(async () => (await call(b.base, { method: 'GET', path: `/v1/keys/${keys[KEYS - 1]}`, token: tokens.root })).status === 200, 10_000, 50)).toBe(true);

    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => call((i % 2 === 0 ? a : b).base, { method: 'POST', path: ROTATE_ALL, token: tokens.root, body: {} })));
    const accepted = answers.filter((r) => r.status === 202);
    expect(accepted.length).toBeGreaterThan(0);
    for (const r of answers) expect([202, 503]).toContain(r.status);
    const jobIds = new Set(accepted.map((r) => (r.json as { jobId: string }).jobId));
    expect(jobIds.size).toBe(1);
    const [jobId] = [...jobIds];
    let job: Record<string, unknown> = {};
    expect(
      await waitUntil(async () => {
        job = (await call(b.base, { method: 'GET', path: `/api/admin/kms/jobs/${jobId}`, token: tokens.root })).json as Record<string, unknown>;
        return job['status'] === 'completed';
      }, 60_000, 100),
    ).toBe(true);
    expect(job).toMatchObject({ total: KEYS, rotated: KEYS, failed: 0, remaining: 0 });

    const store = SqliteEventStore.open({ dataDir });
    try {
      const rotations: number[] = [];
      for (const keyId of keys) rotations.push((await store.readStream(keyStream(OWN_TENANT, keyId))).filter((e) => e.type === 'KeyRotated').length);
      expect(rotations).toEqual(keys.map(() => 1));
    } finally {
      await store.close();
    }
    report('rotate-all race', [`${answers.length} calls (${accepted.length} × 202) on 2 processes → 1 job; ${KEYS} keys rotated once each`]);
  }, 120_000);
});
