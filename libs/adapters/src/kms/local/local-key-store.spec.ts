import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectKmsError } from '../testing/kms-provider-contract';
import type { FileLockOptions } from './local-file-lock';
import { LOCAL_KEY_STORE_FILE, LOCAL_KEY_STORE_LOCK_FILE, LocalKeyStore, type LocalResidentKey } from './local-key-store';
import { LOCAL_MASTER_KEY_FILE, loadLocalMasterKey } from './local-master-key';

const tempDirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'keyledger-local-store-'));
  tempDirs.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

const LOCK: FileLockOptions = { staleMs: 60_000, waitMs: 2_000 };

function residentKey(keyId: string): LocalResidentKey {
  return { keyId, spec: 'ECC_NIST_P256', state: 'Enabled', createdAt: new Date(0).toISOString(), publicKey: 'AA==', wrappedPrivateKey: 'AA==' };
}

async function holdLock(dataDir: string, pid: number): Promise<string> {
  const path = join(dataDir, LOCAL_KEY_STORE_LOCK_FILE);
  await writeFile(path, `${hostname()} ${pid} someone-else`, { mode: 0o600, flag: 'wx' });
  return path;
}

function deadPid(): number {
  const pid = spawnSync(process.execPath, ['-e', '0']).pid;
  if (pid === undefined) throw new Error('no pid');
  return pid;
}

describe('local key store lock', () => {
  it('waits for a live holder and writes once the lock is released', async () => {
    const dataDir = await tempDir();
    const store = await LocalKeyStore.open(dataDir, LOCK);
    const lock = await holdLock(dataDir, process.pid);
    let done = false;
    const adding = store.add(residentKey('k1')).then(() => (done = true));
    await new Promise((wake) => setTimeout(wake, 150));
    expect(done).toBe(false);
    await unlink(lock);
    await adding;
    expect(await store.find('k1', 'test')).toBeDefined();
    expect(await readdir(dataDir)).toEqual([LOCAL_KEY_STORE_FILE]);
  });

  it('breaks at once a lock left by a process that no longer exists', async () => {
    const dataDir = await tempDir();
    await holdLock(dataDir, deadPid());
    const store = await LocalKeyStore.open(dataDir, { staleMs: 60_000, waitMs: 300 });
    await store.add(residentKey('k1'));
    expect(await readdir(dataDir)).toEqual([LOCAL_KEY_STORE_FILE]);
  });

  it('breaks a lock older than the stale timeout even when its holder looks alive', async () => {
    const dataDir = await tempDir();
    const lock = await holdLock(dataDir, process.pid);
    const past = new Date(Date.now() - 5_000);
    await utimes(lock, past, past);
    const store = await LocalKeyStore.open(dataDir, { staleMs: 1_000, waitMs: 300 });
    await store.add(residentKey('k1'));
    expect(await store.find('k1', 'test')).toBeDefined();
  });

  it('gives up with a transient KMS_UNAVAILABLE, leaving the holder its lock and the file untouched', async () => {
    const dataDir = await tempDir();
    const store = await LocalKeyStore.open(dataDir, { staleMs: 60_000, waitMs: 150 });
    await store.add(residentKey('k1'));
    const lock = await holdLock(dataDir, process.pid);
    const error = await expectKmsError(store.add(residentKey('k2')), 'KMS_UNAVAILABLE');
    expect(error.transient).toBe(true);
    expect((await stat(lock)).isFile()).toBe(true);
    const fresh = await LocalKeyStore.open(dataDir, LOCK);
    expect(await fresh.find('k2', 'test')).toBeUndefined();
    expect(await fresh.find('k1', 'test')).toBeDefined();
  });

  it('stops waiting when the caller aborts', async () => {
    const dataDir = await tempDir();
    const store = await LocalKeyStore.open(dataDir, LOCK);
    await holdLock(dataDir, process.pid);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 80);
    await expectKmsError(store.add(residentKey('k1'), controller.signal), 'KMS_ABORTED');
  });
});

describe('local key store file', () => {
  it('keeps mode 0600 and leaves no temporary files across writes by several instances', async () => {
    const dataDir = await tempDir();
    const [a, b] = await Promise.all([LocalKeyStore.open(dataDir, LOCK), LocalKeyStore.open(dataDir, LOCK)]);
    await Promise.all([a.add(residentKey('a1')), b.add(residentKey('b1')), a.setMasterKeyState('Disabled')]);
    await b.setKeyState('a1', 'Disabled');
    expect((await stat(join(dataDir, LOCAL_KEY_STORE_FILE))).mode & 0o777).toBe(0o600);
    expect(await readdir(dataDir)).toEqual([LOCAL_KEY_STORE_FILE]);
    expect(await a.find('a1', 'test')).toMatchObject({ state: 'Disabled' });
    expect(await a.find('b1', 'test')).toMatchObject({ state: 'Enabled' });
    expect(await b.masterKeyState(0, 'test')).toBe('Disabled');
  });

  it('fails closed with KMS_MISCONFIGURED when another writer left a file that is not a key store', async () => {
    const dataDir = await tempDir();
    const store = await LocalKeyStore.open(dataDir, LOCK);
    await store.add(residentKey('k1'));
    await writeFile(join(dataDir, LOCAL_KEY_STORE_FILE), '{"version":2}', { mode: 0o600 });
    await expectKmsError(store.find('k1', 'sign'), 'KMS_MISCONFIGURED');
  });
});

describe('local master key creation', () => {
  it("uses the winner's key when it sees the file before the winner has written it", async () => {
    const dataDir = await tempDir();
    const path = join(dataDir, LOCAL_MASTER_KEY_FILE);
    await writeFile(path, '', { mode: 0o600, flag: 'wx' });
    const winner = Buffer.alloc(32, 7);
    setTimeout(() => void writeFile(path, winner), 60);
    expect(await loadLocalMasterKey({ dataDir })).toEqual(winner);
  });

  it('refuses a master key file that stays short', async () => {
    const dataDir = await tempDir();
    await writeFile(join(dataDir, LOCAL_MASTER_KEY_FILE), Buffer.alloc(5), { mode: 0o600 });
    const error = await expectKmsError(loadLocalMasterKey({ dataDir }), 'KMS_MISCONFIGURED');
    expect(error.message).toContain('32 bytes');
  });
});
