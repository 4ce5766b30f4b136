import { createHash, randomBytes, verify } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { expectKmsError } from '../testing/kms-provider-contract';
import { LOCAL_MASTER_KEY_ID, LocalKmsProvider } from './local-kms-provider';
import { LOCAL_KEY_STORE_FILE, MASTER_STATE_MAX_AGE_MS } from './local-key-store';
import { LOCAL_MASTER_KEY_FILE } from './local-master-key';

// Two providers on one data directory stand for the API and the scheduler under `npm start`.

const CONTEXT = { tenantId: 't1' };
const tempDirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'keyledger-local-kms-shared-'));
  tempDirs.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

const open = (dataDir: string) => LocalKmsProvider.create({ dataDir, warn: () => undefined });

async function storedKeyIds(dataDir: string): Promise<string[]> {
  const parsed = JSON.parse(await readFile(join(dataDir, LOCAL_KEY_STORE_FILE), 'utf8')) as { keys: { keyId: string }[] };
  return parsed.keys.map((key) => key.keyId).sort();
}

/** Signs with `signer` and checks the signature against the public key `reader` serves. */
async function expectSignatureVerifies(signer: LocalKmsProvider, reader: LocalKmsProvider, keyId: string): Promise<void> {
  const message = randomBytes(40);
  const signature = await signer.sign(keyId, createHash('sha256').update(message).digest(), 'ECDSA_SHA_256');
  const publicKey = await reader.getPublicKey(keyId);
  expect(verify('sha256', message, { key: Buffer.from(publicKey), format: 'der', type: 'spki' }, signature)).toBe(true);
}

describe('local KMS provider shared by two instances on one data directory', () => {
  it('lets B sign with, export and describe a key A created, without a restart', async () => {
    const dataDir = await tempDir();
    const a = await open(dataDir);
    const b = await open(dataDir);
    const { keyId } = await a.createAsymmetricKey('ECC_NIST_P256');
    await expectSignatureVerifies(b, a, keyId);
    expect(Buffer.from(await b.getPublicKey(keyId))).toEqual(Buffer.from(await a.getPublicKey(keyId)));
    expect(await b.describeKey(keyId)).toMatchObject({ keyId, state: 'Enabled', usage: 'SIGN_VERIFY' });
  });

  it("keeps both instances' keys when they write one after the other (no overwrite)", async () => {
    const dataDir = await tempDir();
    const a = await open(dataDir);
    const b = await open(dataDir);
    const first = await a.createAsymmetricKey('ECC_NIST_P256');
    const second = await b.createAsymmetricKey('ECC_NIST_P256');
    expect(await storedKeyIds(dataDir)).toEqual([first.keyId, second.keyId].sort());
    await expectSignatureVerifies(a, b, second.keyId);
  });

  it('ends with all 40 keys in the file, usable by both, when A and B create 20 each concurrently', async () => {
    const dataDir = await tempDir();
    const [a, b] = await Promise.all([open(dataDir), open(dataDir)]);
    const creations = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? a : b).createAsymmetricKey('ECC_NIST_P256'));
    const keyIds = (await Promise.all(creations)).map((ref) => ref.keyId);
    expect(new Set(keyIds).size).toBe(40);
    expect(await storedKeyIds(dataDir)).toEqual([...keyIds].sort());
    for (const keyId of keyIds) {
      expect(Buffer.from(await a.getPublicKey(keyId))).toEqual(Buffer.from(await b.getPublicKey(keyId)));
    }
    await expectSignatureVerifies(a, b, keyIds[1]);
    await expectSignatureVerifies(b, a, keyIds[0]);
    const info = await stat(join(dataDir, LOCAL_KEY_STORE_FILE));
    expect(info.mode & 0o777).toBe(0o600);
    expect((await readdir(dataDir)).sort()).toEqual([LOCAL_KEY_STORE_FILE, LOCAL_MASTER_KEY_FILE].sort());
  });

  it("sees the other instance's key state switches at once, and switches keys it did not create", async () => {
    const dataDir = await tempDir();
    const a = await open(dataDir);
    const b = await open(dataDir);
    const { keyId } = await a.createAsymmetricKey('ECC_NIST_P256');
    await a.setKeyState(keyId, 'Disabled');
    const digest = createHash('sha256').update('x').digest();
    await expectKmsError(b.sign(keyId, digest, 'ECDSA_SHA_256'), 'KMS_KEY_DISABLED');
    const late = await a.createAsymmetricKey('ECC_NIST_P256');
    await b.setKeyState(late.keyId, 'Disabled');
    await b.setKeyState(keyId, 'Enabled');
    await expectSignatureVerifies(a, b, keyId);
    expect((await a.describeKey(late.keyId)).state).toBe('Disabled');
    await expectKmsError(b.setKeyState('local-ec-00000000-0000-4000-8000-000000000000', 'Disabled'), 'KMS_KEY_NOT_FOUND');
  });

  it("sees the other instance's master key switch at once in describeKey and the probe, and on wrap within the refresh period", async () => {
    const dataDir = await tempDir();
    const a = await open(dataDir);
    const b = await open(dataDir);
    const blob = await b.encrypt(Uint8Array.of(1), CONTEXT);
    await a.setKeyState(LOCAL_MASTER_KEY_ID, 'Disabled');
    expect((await b.describeKey()).state).toBe('Disabled');
    expect(await b.healthProbe()).toMatchObject({ status: 'down', code: 'KMS_KEY_DISABLED' });
    const c = await open(dataDir);
    await a.setKeyState(LOCAL_MASTER_KEY_ID, 'Enabled');
    expect(Buffer.from(await c.decrypt(blob, CONTEXT))).toEqual(Buffer.of(1));
    await b.setKeyState(LOCAL_MASTER_KEY_ID, 'Disabled');
    await delay(MASTER_STATE_MAX_AGE_MS + 50);
    await expectKmsError(c.decrypt(blob, CONTEXT), 'KMS_KEY_DISABLED');
  });

  it('ends with one master key when several instances start at once on a fresh directory', async () => {
    for (let round = 0; round < 10; round++) {
      const dataDir = await tempDir();
      const providers = await Promise.all([open(dataDir), open(dataDir), open(dataDir), open(dataDir)]);
      const blobs = await Promise.all(providers.map((provider, i) => provider.encrypt(Uint8Array.of(i), CONTEXT)));
      for (const provider of providers) {
        for (const [i, blob] of blobs.entries()) {
          expect(Buffer.from(await provider.decrypt(blob, CONTEXT))).toEqual(Buffer.of(i));
        }
      }
      expect(await readdir(dataDir)).toEqual([LOCAL_MASTER_KEY_FILE]);
      expect((await stat(join(dataDir, LOCAL_MASTER_KEY_FILE))).mode & 0o777).toBe(0o600);
    }
  });
});
