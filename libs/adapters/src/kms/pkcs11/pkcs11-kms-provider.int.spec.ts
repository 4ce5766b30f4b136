import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeWith, softhsm2, SOFTHSM2_MODULE } from '@keyledger/testing';
import { expectKmsError, kmsProviderContract } from '../testing/kms-provider-contract';
import { setRealProcessEnv } from '../testing/real-process-env';
import { Pkcs11KmsProvider, type Pkcs11KmsOptions } from './pkcs11-kms-provider';

const TOKEN_LABEL = 'keyledger-test';
const PIN = '1234';

/** A fresh SoftHSM2 token in a temporary directory; SOFTHSM2_CONF points the module at it. */
function initialiseToken(): { dir: string; slot: number } {
  const dir = mkdtempSync(join(tmpdir(), 'keyledger-softhsm-'));
  const conf = join(dir, 'softhsm2.conf');
  writeFileSync(conf, `directories.tokendir = ${join(dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  mkdirSync(join(dir, 'tokens'));
  setRealProcessEnv('SOFTHSM2_CONF', conf);
  const out = execFileSync('softhsm2-util', ['--init-token', '--free', '--label', TOKEN_LABEL, '--so-pin', '5678', '--pin', PIN], {
    encoding: 'utf8',
    env: { ...process.env, SOFTHSM2_CONF: conf },
  });
  const slot = Number(/reassigned to slot (\d+)/.exec(out)?.[1]);
  return { dir, slot };
}

describeWith([softhsm2], 'PKCS#11 provider on SoftHSM2', () => {
  let token: { dir: string; slot: number };
  let options: Pkcs11KmsOptions;
  beforeAll(() => {
    token = initialiseToken();
    options = { module: SOFTHSM2_MODULE, tokenLabel: TOKEN_LABEL, pin: PIN, createMasterKey: true };
  });
  afterAll(() => rmSync(token.dir, { recursive: true, force: true }));

  kmsProviderContract('pkcs11 (SoftHSM2)', async () => {
    const provider = await Pkcs11KmsProvider.create(options);
    return {
      provider,
      unknownKeyId: '0'.repeat(32),
      disableKey: (keyId) => provider.setKeyEnabled(keyId, false),
      enableKey: (keyId) => provider.setKeyEnabled(keyId, true),
      close: () => provider.close(),
    };
  });

  describe('start-up', () => {
    it('finds the token by slot id as well as by label, and reuses the wrapping key it created', async () => {
      const byLabel = await Pkcs11KmsProvider.create(options);
      const blob = await byLabel.encrypt(Uint8Array.of(4, 2), { a: 'b' });
      const bySlot = await Pkcs11KmsProvider.create({ module: SOFTHSM2_MODULE, slot: token.slot, pin: PIN });
      expect(Buffer.from(await bySlot.decrypt(blob, { a: 'b' }))).toEqual(Buffer.of(4, 2));
      await bySlot.close();
      await byLabel.close();
    });

    it('refuses a wrong PIN as access denied, an unknown token or a missing wrapping key as misconfigured', async () => {
      await expectKmsError(Pkcs11KmsProvider.create({ ...options, pin: '9999' }), 'KMS_ACCESS_DENIED');
      await expectKmsError(Pkcs11KmsProvider.create({ ...options, tokenLabel: 'no-such-token' }), 'KMS_MISCONFIGURED');
      await expectKmsError(Pkcs11KmsProvider.create({ ...options, masterKeyLabel: 'absent', createMasterKey: false }), 'KMS_MISCONFIGURED');
    });

    it('keeps resident keys in the token across sessions', async () => {
      const first = await Pkcs11KmsProvider.create(options);
      const { keyId } = await first.createAsymmetricKey('ECC_NIST_P256');
      const publicKey = await first.getPublicKey(keyId);
      await first.close();
      const second = await Pkcs11KmsProvider.create(options);
      expect(Buffer.from(await second.getPublicKey(keyId))).toEqual(Buffer.from(publicKey));
      await second.close();
    });
  });
});
