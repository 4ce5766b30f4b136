import { createHash, createPublicKey, verify } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeWith, softhsm2, SOFTHSM2_MODULE } from '@keyledger/testing';
import { expectKmsError } from '../testing/kms-provider-contract';
import { setRealProcessEnv } from '../testing/real-process-env';
import { Pkcs11KmsProvider } from './pkcs11-kms-provider';

const TOKEN_LABEL = 'keyledger-labelled';
const PIN = '1234';

describeWith([softhsm2], 'PKCS#11 labelled keys (break-glass emergency keys) on SoftHSM2', () => {
  let dir: string;
  let provider: Pkcs11KmsProvider;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'keyledger-softhsm-labelled-'));
    const conf = join(dir, 'softhsm2.conf');
    mkdirSync(join(dir, 'tokens'));
    writeFileSync(conf, `directories.tokendir = ${join(dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`);
    setRealProcessEnv('SOFTHSM2_CONF', conf);
    execFileSync('softhsm2-util', ['--init-token', '--free', '--label', TOKEN_LABEL, '--so-pin', '5678', '--pin', PIN], { env: { ...process.env, SOFTHSM2_CONF: conf } });
    provider = await Pkcs11KmsProvider.create({ module: SOFTHSM2_MODULE, tokenLabel: TOKEN_LABEL, pin: PIN, createMasterKey: true });
  });
  afterAll(async () => {
    await provider.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates a key under a label, finds it again from another session, signs, and destroys both objects', async () => {
    const { keyId } = await provider.createLabelledKey('keyledger-breakglass-s1');
    const other = await Pkcs11KmsProvider.create({ module: SOFTHSM2_MODULE, tokenLabel: TOKEN_LABEL, pin: PIN });
    expect(await other.findKeyByLabel('keyledger-breakglass-s1')).toBe(keyId);
    await other.close();
    const digest = createHash('sha256').update('emergency').digest();
    const signature = await provider.sign(keyId, digest, 'ECDSA_SHA_256');
    const publicKey = createPublicKey({ key: Buffer.from(await provider.getPublicKey(keyId)), format: 'der', type: 'spki' });
    expect(verify('sha256', Buffer.from('emergency'), publicKey, Buffer.from(signature))).toBe(true);

    expect(await provider.destroyKey(keyId)).toBe(true);
    expect(await provider.findKeyByLabel('keyledger-breakglass-s1')).toBeNull();
    await expectKmsError(provider.getPublicKey(keyId), 'KMS_KEY_NOT_FOUND');
    await expectKmsError(provider.sign(keyId, digest, 'ECDSA_SHA_256'), 'KMS_KEY_NOT_FOUND');
    expect(await provider.destroyKey(keyId)).toBe(false);
  });

  it('refuses labels with separators and answers null for an unknown label', async () => {
    await expectKmsError(provider.createLabelledKey('a/b'), 'KMS_INVALID_REQUEST');
    await expectKmsError(provider.findKeyByLabel(''), 'KMS_INVALID_REQUEST');
    expect(await provider.findKeyByLabel('keyledger-breakglass-none')).toBeNull();
    expect(await provider.destroyKey('0'.repeat(32))).toBe(false);
  });
});
