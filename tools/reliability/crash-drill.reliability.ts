/**
 * Crash drill: the built API (local provider, embedded SQLite store) SIGKILLed under mixed load
 * ten times and restarted each time. After each restart every acknowledged key change is there
 * and the key cache serves the right versions; at the end `audit verify` (tools/audit CLI) is clean.
 */
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@keyledger/adapters';
import { AuditLog, nodeCryptoSigner, signAuditCheckpoint } from '@keyledger/audit';
import { WORKSPACE, startApiProcess, type ApiProcess } from './support/api-process';
import { checkAcknowledged, checkCacheVersions, createTracked, runWorker, type LoadStats, type TrackedKey } from './support/crash-load';
import { report } from './support/report';
import { eventsWithoutWrappedBlobs, readStoredEvents, scanForSecrets } from './support/secret-scan';
import { writeSuiteTokens, type SuiteTokens } from './support/tokens';

const KILLS = Number(process.env['RELIABILITY_KILLS'] ?? 10);
const WORKERS = 6;
const ORIGIN = 'keyledger.reliability/audit';
const masterKey = randomBytes(32).toString('base64');
const audit = generateKeyPairSync('ed25519');
let dataDir: string;
let tokens: SuiteTokens;
let api: ApiProcess | null = null;
const outputs: string[] = [];

const start = async (): Promise<ApiProcess> =>
  startApiProcess({ NODE_ENV: 'production', REQUIRE_KMS: 'false', KMS_PROVIDER: 'local', LOCAL_KMS_MASTER_KEY: masterKey, KEYLEDGER_DATA_DIR: dataDir, AUTH_TOKENS_FILE: tokens.file, RATE_LIMIT_TENANT_RPS: '0', LOG_LEVEL: 'info' });

/** Signs an audit checkpoint over the store as the scheduler would (the API is down at this point). */
async function signCheckpoint(): Promise<void> {
  const store = SqliteEventStore.open({ dataDir });
  try {
    const log = new AuditLog(store);
    const context = { eventId: randomUUID(), occurredAt: new Date().toISOString(), actor: 'service:rotation-scheduler', correlationId: randomUUID(), causationId: null };
    await signAuditCheckpoint(log, store, { origin: ORIGIN, signer: nodeCryptoSigner(ORIGIN, audit.privateKey), context });
  } finally {
    await store.close();
  }
}

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'keyledger-crash-'));
  tokens = writeSuiteTokens(dataDir);
});

afterAll(async () => {
  await api?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('crash drill: SIGKILL under mixed load, restart, nothing acknowledged lost', () => {
  const keys: TrackedKey[][] = [];
  const stats: LoadStats = { requests: 0, acknowledgedChanges: 0, violations: [] };
  let kills = 0;

  it(`survives ${KILLS} SIGKILLs under load`, async () => {
    api = await start();
    for (let w = 0; w < WORKERS; w++) {
      const own: TrackedKey[] = [];
      for (const purpose of ['sign', 'encrypt'] as const) {
        const k = await createTracked(api.base, tokens.root, `tenant${w % 3}`, purpose, `w${w}${purpose}`);
        if (k) own.push(k);
      }
      keys.push(own);
    }
    for (let round = 0; round < KILLS; round++) {
      const load = keys.map((own, w) => runWorker((api as ApiProcess).base, tokens.root, `tenant${w % 3}`, own, stats));
      await new Promise((r) => setTimeout(r, 300 + Math.random() * 900));
      await (api as ApiProcess).kill();
      expect(api?.exited()?.signal).toBe('SIGKILL');
      kills++;
      outputs.push((api as ApiProcess).output());
      await Promise.all(load);
      if (round % 3 === 0) await signCheckpoint();
      api = await start();
      expect(await checkAcknowledged(api.base, tokens.root, keys.flat())).toEqual([]);
      expect(await checkCacheVersions(api.base, tokens.root, keys.flat())).toEqual([]);
    }
    expect(stats.violations).toEqual([]);
    expect(kills).toBe(KILLS);
  }, 300_000);

  it('keeps an audit trail that `audit verify` finds clean', async () => {
    await (api as ApiProcess).stop();
    outputs.push((api as ApiProcess).output());
    api = null;
    await signCheckpoint();
    const pem = join(dataDir, 'audit.pem');
    writeFileSync(pem, audit.publicKey.export({ type: 'spki', format: 'pem' }));
    const file = join(dataDir, 'keyledger-events.sqlite');
    const run = spawnSync(process.execPath, [join(WORKSPACE, 'tools/audit/bin/keyledger-audit.cjs'), 'verify', '--from', `sqlite:${file}`, '--audit-key', pem], { encoding: 'utf8', cwd: WORKSPACE });
    if (run.status !== 0) process.stdout.write(`${run.stdout}\n${run.stderr}\n`);
    expect(run.status).toBe(0);
    report('crash drill', [`${kills} SIGKILLs under load, ${stats.requests} requests, ${stats.acknowledgedChanges} acknowledged key changes, ${keys.flat().length} keys tracked; audit verify exit ${run.status}`]);
  }, 120_000);

  it('leaves no token or master key in the logs or events', () => {
    const events = eventsWithoutWrappedBlobs(readStoredEvents(join(dataDir, 'keyledger-events.sqlite')));
    const secrets = [...tokens.all.map((t, i) => ({ label: `token ${i}`, value: t })), { label: 'master key', value: Buffer.from(masterKey, 'base64') }, { label: 'master key (base64)', value: masterKey }];
    expect(scanForSecrets([{ name: 'api output', text: outputs.join('\n') }, { name: 'events', text: events }], secrets)).toEqual([]);
  });
});
