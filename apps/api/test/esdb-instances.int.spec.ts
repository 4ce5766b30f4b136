import { randomBytes, randomUUID, verify } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DEFAULT_EVENTS_FILE, EsdbEventStore, startInProcessEsdb, type InProcessEsdb } from '@keyledger/adapters';
import type { CacheId, KeyOperations } from '@keyledger/key-operations';
import { loadApiConfig, loadConfig } from '@keyledger/runtime';
import { KEY_OPERATIONS } from '../src/keys/tenant-access';
import { TOKENS, b64, startHarness, type Harness } from './support/api-harness';
import { startSchedulerSide, type SchedulerSide } from './support/esdb-scheduler-side';

/**
 * Several instances on EventStoreDB: two API processes (in-process here, each with its own data
 * directory and read-model file) and a scheduler-side key-operations runtime, all on one
 * in-process gRPC EventStoreDB server and one local-provider master key. A change made through
 * one instance reaches the others only through the store's subscription (each instance's views
 * runner folds it and invalidates its own key cache), so every check below polls and states the
 * measured propagation delay. The bound is generous: this is about correctness, not speed.
 */

jest.setTimeout(90_000);

/** Generous bound for a change to reach another instance (the ESDB adapter polls $all every 200 ms). */
const PROPAGATION_BOUND_MS = 10_000;
const POLL_MS = 10;

/** One 32-byte AES master key for the local provider, the same for every instance. */
const MASTER_KEY = randomBytes(32).toString('base64');

interface Polled<T> {
  readonly value: T;
  readonly elapsedMs: number;
  readonly attempts: number;
  readonly met: boolean;
}

/** Calls `probe` until `done` holds or `boundMs` passed since `since`; reports the elapsed time since `since`. */
async function pollUntil<T>(since: number, probe: () => Promise<T>, done: (value: T) => boolean, boundMs = PROPAGATION_BOUND_MS): Promise<Polled<T>> {
  let attempts = 0;
  for (;;) {
    const value = await probe();
    attempts++;
    const elapsedMs = performance.now() - since;
    if (done(value)) return { value, elapsedMs, attempts, met: true };
    if (elapsedMs > boundMs) return { value, elapsedMs, attempts, met: false };
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** The key operations (and so the key cache) of one running API instance. */
const opsOf = (h: Harness): KeyOperations => h.app.get<KeyOperations>(KEY_OPERATIONS, { strict: false });

const ms = (value: number): string => `${value.toFixed(1)} ms`;

describe('several instances on EventStoreDB (two APIs and a scheduler, in-process gRPC server)', () => {
  let esdb: InProcessEsdb;
  let a: Harness;
  let b: Harness;
  let scheduler: SchedulerSide;
  const dirs: string[] = [];
  const viewsFiles: string[] = [];
  const previousConnectionString = process.env.EVENTSTORE_CONNECTION_STRING;
  const delays: Record<string, string> = {};

  const instanceEnv = (name: string): Record<string, string> => {
    const dataDir = mkdtempSync(join(tmpdir(), `keyledger-esdb-${name}-`));
    dirs.push(dataDir);
    viewsFiles.push(join(dataDir, `${name}-views.sqlite`));
    return {
      EVENTSTORE: 'esdb',
      EVENTSTORE_CONNECTION_STRING: esdb.connectionString,
      KEYLEDGER_DATA_DIR: dataDir,
      VIEWS_FILE: join(dataDir, `${name}-views.sqlite`),
      KMS_PROVIDER: 'local',
      LOCAL_KMS_MASTER_KEY: MASTER_KEY,
    };
  };

  beforeAll(async () => {
    esdb = await startInProcessEsdb();
    // The API and scheduler runtimes read EVENTSTORE_CONNECTION_STRING from process.env, not from the env they are given.
    process.env.EVENTSTORE_CONNECTION_STRING = esdb.connectionString;
    a = await startHarness(instanceEnv('api-a'));
    b = await startHarness(instanceEnv('api-b'));
    const schedulerEnv = instanceEnv('scheduler');
    scheduler = await startSchedulerSide(loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', ...schedulerEnv }), loadApiConfig(schedulerEnv), esdb.connectionString);
  });

  afterAll(async () => {
    await scheduler?.close();
    await b?.close();
    await a?.close();
    await esdb?.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    if (previousConnectionString === undefined) delete process.env.EVENTSTORE_CONNECTION_STRING;
    else process.env.EVENTSTORE_CONNECTION_STRING = previousConnectionString;
    console.log(`measured propagation delays between instances on EventStoreDB:\n${Object.entries(delays).map(([what, d]) => `  ${what}: ${d}`).join('\n')}`);
  });

  let signKey: string;
  let encKey: string;

  it('runs every instance on the one ESDB server, each with its own read-model file', async () => {
    for (const h of [a, b]) {
      const status = await h.call('GET', '/api/admin/kms/status', TOKENS.admin);
      expect(status.status).toBe(200);
      expect(status.body.provider).toBe('local');
    }
    expect(new Set(viewsFiles).size).toBe(3);
    for (const file of viewsFiles) expect(existsSync(file)).toBe(true);
    expect(scheduler.store).toBeInstanceOf(EsdbEventStore);
  });

  it('a signing-key rotation through A reaches B: B signs with v2 after the measured delay, and the signature verifies with A’s v2 public key', async () => {
    const created = await a.call('POST', '/v1/keys', TOKENS.acmeKeyAdmin, { tenantId: 'acme', name: 'payments', purpose: 'sign' });
    expect(created.status).toBe(201);
    signKey = created.body.keyId;
    const createdAt = performance.now();

    const message = b64(`settle batch ${randomUUID()}`);
    const signOnB = () => b.call('POST', `/v1/keys/${signKey}/sign`, TOKENS.acmeClient, { message });
    const firstOnB = await pollUntil(createdAt, signOnB, (r) => r.status === 200);
    delays['key created on A -> B can sign'] = ms(firstOnB.elapsedMs);
    expect(firstOnB.met).toBe(true);
    expect(firstOnB.value.body).toMatchObject({ keyVersion: 1, kid: `${signKey}.v1` });
    // B's cache now holds v1.
    expect((await signOnB()).body.keyVersion).toBe(1);
    const v1OnB: CacheId = { tenantId: 'acme', keyId: signKey, version: 1, kind: 'private' };
    expect(opsOf(b).cache.has(v1OnB)).toBe(true);

    const rotated = await a.call('POST', `/v1/keys/${signKey}/rotate`, TOKENS.acmeKeyAdmin, {});
    const rotatedAt = performance.now();
    expect(rotated.status).toBe(200);
    expect(rotated.body.primaryVersion).toBe(2);
    // A itself answers v2 at once (read-your-writes on the instance that rotated).
    expect((await a.call('POST', `/v1/keys/${signKey}/sign`, TOKENS.acmeClient, { message })).body.keyVersion).toBe(2);

    const schedulerRow = async () => scheduler.ops.views.models.keys.get('acme', signKey);
    const [switched, onScheduler] = await Promise.all([
      pollUntil(rotatedAt, signOnB, (r) => r.status === 200 && r.body.keyVersion === 2),
      pollUntil(rotatedAt, schedulerRow, (row) => row?.primaryVersion === 2),
    ]);
    delays['signing key rotated on A -> scheduler read model shows primaryVersion 2'] = ms(onScheduler.elapsedMs);
    expect(onScheduler.met).toBe(true);
    delays['signing key rotated on A -> B signs with v2'] = `${ms(switched.elapsedMs)} (${switched.attempts} signs on B)`;
    // The KeyRotated event B's runner read dropped B's cached v1 (invalidation on every instance).
    expect(opsOf(b).cache.has(v1OnB)).toBe(false);
    expect(opsOf(b).cache.has({ ...v1OnB, version: 2 })).toBe(true);
    console.log(`signing key: B's first v2 signature ${ms(switched.elapsedMs)} after A's rotate response (${switched.attempts} sign calls on B)`);
    expect(switched.met).toBe(true);
    expect(switched.elapsedMs).toBeLessThan(PROPAGATION_BOUND_MS);
    expect(switched.value.body).toMatchObject({ keyVersion: 2, kid: `${signKey}.v2`, algorithm: 'ECDSA_P256_SHA256' });

    const v2 = await a.call('GET', `/v1/keys/${signKey}/public-key?version=2`, TOKENS.acmeClient);
    expect(v2.status).toBe(200);
    expect(v2.body.jwk).toMatchObject({ kid: `${signKey}.v2` });
    const signature = Buffer.from(switched.value.body.signature, 'base64');
    expect(verify('sha256', Buffer.from(message, 'base64'), v2.body.pem, signature)).toBe(true);
    const v1 = await a.call('GET', `/v1/keys/${signKey}/public-key?version=1`, TOKENS.acmeClient);
    expect(verify('sha256', Buffer.from(message, 'base64'), v1.body.pem, signature)).toBe(false);
    expect((await a.call('POST', `/v1/keys/${signKey}/verify`, TOKENS.acmeClient, { message, signature: switched.value.body.signature })).body).toEqual({ valid: true, keyVersion: 2 });
  });

  it('an encryption-key rotation through A reaches B: B encrypts under the new version after the measured delay, and A decrypts it', async () => {
    const created = await a.call('POST', '/v1/keys', TOKENS.acmeKeyAdmin, { tenantId: 'acme', name: 'vault', purpose: 'encrypt' });
    expect(created.status).toBe(201);
    encKey = created.body.keyId;
    const createdAt = performance.now();

    const context = { order: '42' };
    const plaintext = b64('card 4111 1111 1111 1111');
    const encryptOnB = () => b.call('POST', `/v1/keys/${encKey}/encrypt`, TOKENS.acmeClient, { plaintext, context });
    const firstOnB = await pollUntil(createdAt, encryptOnB, (r) => r.status === 200);
    delays['encryption key created on A -> B can encrypt'] = ms(firstOnB.elapsedMs);
    expect(firstOnB.met).toBe(true);
    expect(firstOnB.value.body.keyVersion).toBe(1);
    expect((await encryptOnB()).body.keyVersion).toBe(1);
    const v1OnB: CacheId = { tenantId: 'acme', keyId: encKey, version: 1, kind: 'secret' };
    expect(opsOf(b).cache.has(v1OnB)).toBe(true);

    const rotated = await a.call('POST', `/v1/keys/${encKey}/rotate`, TOKENS.acmeKeyAdmin, {});
    const rotatedAt = performance.now();
    expect(rotated.status).toBe(200);
    expect(rotated.body.primaryVersion).toBe(2);

    const switched = await pollUntil(rotatedAt, encryptOnB, (r) => r.status === 200 && r.body.keyVersion === 2);
    delays['encryption key rotated on A -> B encrypts with v2'] = `${ms(switched.elapsedMs)} (${switched.attempts} encrypts on B)`;
    expect(opsOf(b).cache.has(v1OnB)).toBe(false);
    expect(opsOf(b).cache.has({ ...v1OnB, version: 2 })).toBe(true);
    console.log(`encryption key: B's first v2 ciphertext ${ms(switched.elapsedMs)} after A's rotate response (${switched.attempts} encrypt calls on B)`);
    expect(switched.met).toBe(true);
    expect(switched.elapsedMs).toBeLessThan(PROPAGATION_BOUND_MS);

    const decrypted = await a.call('POST', `/v1/keys/${encKey}/decrypt`, TOKENS.acmeClient, { ciphertext: switched.value.body.ciphertext, context });
    expect(decrypted).toMatchObject({ status: 200, body: { keyVersion: 2 } });
    expect(decrypted.body.plaintext).toBe(plaintext);
    const old = await a.call('POST', `/v1/keys/${encKey}/decrypt`, TOKENS.acmeClient, { ciphertext: firstOnB.value.body.ciphertext, context });
    expect(old).toMatchObject({ status: 200, body: { keyVersion: 1, plaintext } });
  });

  it('the scheduler-side runtime sees the rotated keys in its own read model without serving HTTP', async () => {
    const since = performance.now();
    const rows = await pollUntil(
      since,
      async () => ({ sign: scheduler.ops.views.models.keys.get('acme', signKey), enc: scheduler.ops.views.models.keys.get('acme', encKey) }),
      (r) => r.sign?.primaryVersion === 2 && r.enc?.primaryVersion === 2,
    );
    expect(rows.met).toBe(true);
    expect(rows.value.sign).toMatchObject({ status: 'Enabled', primaryVersion: 2 });
    expect(rows.value.enc).toMatchObject({ status: 'Enabled', primaryVersion: 2 });
    expect(scheduler.ops.views.appliedPosition()).toBe(await scheduler.store.headPosition());
  });

  it('every instance’s admin status shows the same key counts once its views reach the store head', async () => {
    const status = (h: Harness) => h.call('GET', '/api/admin/kms/status', TOKENS.admin);
    const since = performance.now();
    const caughtUp = (r: Awaited<ReturnType<typeof status>>) => r.status === 200 && r.body.event_store.views_position === r.body.event_store.head_position;
    const [sa, sb] = [await pollUntil(since, () => status(a), caughtUp), await pollUntil(since, () => status(b), caughtUp)];
    expect(sa.met && sb.met).toBe(true);
    expect(sa.value.body.event_store.head_position).toBe(sb.value.body.event_store.head_position);
    expect(sa.value.body.keys).toEqual(sb.value.body.keys);
    expect(sa.value.body.keys).toMatchObject({ total: 2, by_status: { Enabled: 2 } });
    expect(scheduler.ops.views.models.keys.counts()).toMatchObject({ total: 2, byStatus: { Enabled: 2 } });
    // The events are on the ESDB server (both rotations, both creations), not in an embedded store of either instance.
    const types = esdb.log.allRecords().map((r) => r.type);
    expect(types.filter((t) => t === 'KeyCreated')).toHaveLength(2);
    expect(types.filter((t) => t === 'KeyRotated')).toHaveLength(2);
    for (const dir of dirs) expect(existsSync(join(dir, DEFAULT_EVENTS_FILE))).toBe(false);
  });

  it('a key disabled through B is refused through A after the measured delay', async () => {
    const message = b64('after disable');
    const signOnA = () => a.call('POST', `/v1/keys/${signKey}/sign`, TOKENS.acmeClient, { message });
    // A's cache holds v2.
    expect((await signOnA()).body.keyVersion).toBe(2);
    const v2OnA: CacheId = { tenantId: 'acme', keyId: signKey, version: 2, kind: 'private' };
    expect(opsOf(a).cache.has(v2OnA)).toBe(true);

    const disabled = await b.call('POST', `/v1/keys/${signKey}/disable`, TOKENS.acmeKeyAdmin);
    const disabledAt = performance.now();
    expect(disabled).toMatchObject({ status: 200, body: { status: 'Disabled' } });
    expect(await b.call('POST', `/v1/keys/${signKey}/sign`, TOKENS.acmeClient, { message })).toMatchObject({ status: 409, body: { error: { code: 'KEY_DISABLED' } } });

    const refused = await pollUntil(disabledAt, signOnA, (r) => r.status !== 200);
    delays['key disabled on B -> A refuses to sign'] = `${ms(refused.elapsedMs)} (${refused.attempts} signs on A)`;
    console.log(`disable: A refuses to sign ${ms(refused.elapsedMs)} after B's disable response (${refused.attempts} sign calls on A)`);
    expect(refused.met).toBe(true);
    expect(refused.elapsedMs).toBeLessThan(PROPAGATION_BOUND_MS);
    expect(refused.value).toMatchObject({ status: 409, body: { error: { code: 'KEY_DISABLED' } } });
    expect(opsOf(a).cache.has(v2OnA)).toBe(false);

    const row = await pollUntil(disabledAt, async () => scheduler.ops.views.models.keys.get('acme', signKey), (r) => r?.status === 'Disabled');
    delays['key disabled on B -> scheduler read model shows Disabled'] = ms(row.elapsedMs);
    expect(row.value).toMatchObject({ status: 'Disabled', primaryVersion: 2 });

    const counts = await pollUntil(
      disabledAt,
      async () => [(await a.call('GET', '/api/admin/kms/status', TOKENS.admin)).body.keys, (await b.call('GET', '/api/admin/kms/status', TOKENS.admin)).body.keys],
      ([ka, kb]) => ka.by_status.Disabled === 1 && kb.by_status.Disabled === 1,
    );
    expect(counts.met).toBe(true);
    expect(counts.value[0]).toEqual(counts.value[1]);
    expect(counts.value[0]).toMatchObject({ total: 2, by_status: { Enabled: 1, Disabled: 1 } });
  });
});
