import { mkdtemp, readFile, rm, stat, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createKmsProvider } from '../create-kms-provider';
import { expectKmsError, kmsProviderContract } from '../testing/kms-provider-contract';
import { LOCAL_KMS_WARNING, LOCAL_MASTER_KEY_ID, LocalKmsProvider } from './local-kms-provider';
import { LOCAL_MASTER_KEY_FILE } from './local-master-key';

const CONTEXT = { tenantId: 't1' };
const tempDirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'keyledger-local-kms-'));
  tempDirs.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

kmsProviderContract('local', async () => {
  const provider = await LocalKmsProvider.create({ dataDir: await tempDir(), warn: () => undefined });
  return {
    provider,
    unknownKeyId: 'local-ec-00000000-0000-4000-8000-000000000000',
    disableKey: (keyId) => provider.setKeyState(keyId, 'Disabled'),
    enableKey: (keyId) => provider.setKeyState(keyId, 'Enabled'),
    close: () => provider.close(),
  };
});

describe('local KMS provider', () => {
  it('creates its master key file with mode 0600 and logs the warning line at start', async () => {
    const dataDir = await tempDir();
    const warnings: string[] = [];
    await LocalKmsProvider.create({ dataDir, warn: (line) => warnings.push(line) });
    const info = await stat(join(dataDir, LOCAL_MASTER_KEY_FILE));
    expect(info.mode & 0o777).toBe(0o600);
    expect(info.size).toBe(32);
    expect(warnings).toEqual(['Using local KMS provider - NOT FOR PRODUCTION USE']);
    expect(LOCAL_KMS_WARNING).toBe(warnings[0]);
  });

  it('keeps wrapped data and resident keys usable across restarts', async () => {
    const dataDir = await tempDir();
    const first = await LocalKmsProvider.create({ dataDir, warn: () => undefined });
    const blob = await first.encrypt(Uint8Array.of(7, 7), CONTEXT);
    const { keyId } = await first.createAsymmetricKey('ECC_NIST_P256');
    const publicKey = await first.getPublicKey(keyId);
    await first.setKeyState(keyId, 'Disabled');
    const second = await LocalKmsProvider.create({ dataDir, warn: () => undefined });
    expect(Buffer.from(await second.decrypt(blob, CONTEXT))).toEqual(Buffer.of(7, 7));
    expect((await second.describeKey(keyId)).state).toBe('Disabled');
    await second.setKeyState(keyId, 'Enabled');
    expect(Buffer.from(await second.getPublicKey(keyId))).toEqual(Buffer.from(publicKey));
    const store = await readFile(join(dataDir, 'local-kms-keys.json'), 'utf8');
    expect(store).not.toContain('PRIVATE');
  });

  it('takes the master key from LOCAL_KMS_MASTER_KEY, so blobs move between data directories', async () => {
    const masterKeyBase64 = randomBytes(32).toString('base64');
    const a = await LocalKmsProvider.create({ masterKeyBase64, warn: () => undefined });
    const b = await LocalKmsProvider.create({ masterKeyBase64, dataDir: await tempDir(), warn: () => undefined });
    const blob = await a.encrypt(Uint8Array.of(1), CONTEXT);
    expect(Buffer.from(await b.decrypt(blob, CONTEXT))).toEqual(Buffer.of(1));
    const other = await LocalKmsProvider.create({ masterKeyBase64: randomBytes(32).toString('base64'), warn: () => undefined });
    await expectKmsError(other.decrypt(blob, CONTEXT), 'KMS_INVALID_CIPHERTEXT');
  });

  it.each([
    ['not base64', 'not base64!'],
    ['16 bytes', randomBytes(16).toString('base64')],
  ])('refuses a LOCAL_KMS_MASTER_KEY that is %s', async (_label, masterKeyBase64) => {
    await expectKmsError(LocalKmsProvider.create({ masterKeyBase64, warn: () => undefined }), 'KMS_MISCONFIGURED');
  });

  it('refuses a master key file that others can read, and a start with neither file nor key', async () => {
    const dataDir = await tempDir();
    await LocalKmsProvider.create({ dataDir, warn: () => undefined });
    await chmod(join(dataDir, LOCAL_MASTER_KEY_FILE), 0o644);
    const error = await expectKmsError(LocalKmsProvider.create({ dataDir, warn: () => undefined }), 'KMS_MISCONFIGURED');
    expect(error.message).toContain('0600');
    await expectKmsError(LocalKmsProvider.create({ warn: () => undefined }), 'KMS_MISCONFIGURED');
  });

  it('describes the master key by its id and reports disabled master keys in the health probe', async () => {
    const provider = await LocalKmsProvider.create({ dataDir: await tempDir(), warn: () => undefined });
    expect((await provider.describeKey(LOCAL_MASTER_KEY_ID)).keyId).toBe(LOCAL_MASTER_KEY_ID);
    await provider.setKeyState(LOCAL_MASTER_KEY_ID, 'Disabled');
    expect(await provider.healthProbe()).toMatchObject({ status: 'down', code: 'KMS_KEY_DISABLED' });
  });
});

describe('createKmsProvider', () => {
  it('refuses the local provider when REQUIRE_KMS is true, without logging the start warning', async () => {
    const warnings: string[] = [];
    const error = await expectKmsError(
      createKmsProvider({ provider: 'local', requireKms: true, local: { dataDir: await tempDir(), warn: (l) => warnings.push(l) } }),
      'KMS_LOCAL_PROVIDER_REFUSED',
    );
    expect(error.transient).toBe(false);
    expect(error.message).toContain('REQUIRE_KMS');
    expect(warnings).toEqual([]);
  });

  it('starts the local provider when REQUIRE_KMS is false and logs the warning', async () => {
    const warnings: string[] = [];
    const provider = await createKmsProvider({ provider: 'local', requireKms: false, local: { dataDir: await tempDir(), warn: (l) => warnings.push(l) } });
    expect(provider.kind).toBe('local');
    expect(warnings).toEqual([LOCAL_KMS_WARNING]);
  });

  it('does not fall back to local when another provider cannot start', async () => {
    await expect(
      createKmsProvider({ provider: 'pkcs11', requireKms: false, pkcs11: { module: '/nonexistent/libpkcs11.so', tokenLabel: 'x', pin: '1234' } }),
    ).rejects.toMatchObject({ code: 'KMS_MISCONFIGURED' });
  });
});
