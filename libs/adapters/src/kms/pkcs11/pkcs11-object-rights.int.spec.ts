import { createHash, randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import * as pkcs11js from 'pkcs11js';
import { describeWith, initialiseSoftHsm2Token, softhsm2, SOFTHSM2_MODULE } from '@keyledger/testing';
import { expectKmsError } from '../testing/kms-provider-contract';
import { Pkcs11KmsProvider, type Pkcs11KmsOptions } from './pkcs11-kms-provider';

const PIN = '1234';
const P256_OID = Buffer.from('06082a8648ce3d030107', 'hex');

/**
 * A second, independent view of the token through pkcs11js (its own session), to read back what
 * the provider created. The module is initialised once per process, so this never finalizes it.
 */
class TokenInspector {
  private readonly lib = new pkcs11js.PKCS11();
  private readonly session: pkcs11js.Handle;

  constructor(tokenLabel: string) {
    this.lib.load(SOFTHSM2_MODULE);
    try {
      this.lib.C_Initialize();
    } catch (error) {
      if ((error as { code?: number }).code !== 0x191) throw error; // CKR_CRYPTOKI_ALREADY_INITIALIZED
    }
    const slot = this.lib.C_GetSlotList(true).find((s) => this.lib.C_GetTokenInfo(s).label.trim() === tokenLabel);
    if (slot === undefined) throw new Error(`no token ${tokenLabel}`);
    this.session = this.lib.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
    try {
      this.lib.C_Login(this.session, pkcs11js.CKU_USER, PIN);
    } catch (error) {
      if ((error as { code?: number }).code !== 0x100) throw error; // CKR_USER_ALREADY_LOGGED_IN
    }
  }

  find(template: pkcs11js.Template): pkcs11js.Handle[] {
    this.lib.C_FindObjectsInit(this.session, template);
    try {
      return this.lib.C_FindObjects(this.session, 100);
    } finally {
      this.lib.C_FindObjectsFinal(this.session);
    }
  }

  /** The one object of `objectClass` with this CKA_ID (hex), failing unless there is exactly one. */
  byId(keyId: string, objectClass: number): pkcs11js.Handle {
    const found = this.find([
      { type: pkcs11js.CKA_CLASS, value: objectClass },
      { type: pkcs11js.CKA_ID, value: Buffer.from(keyId, 'hex') },
    ]);
    expect(found).toHaveLength(1);
    return found[0];
  }

  /** Boolean attributes of an object by name (C_GetAttributeValue, one attribute at a time). */
  flags(handle: pkcs11js.Handle, names: readonly (keyof typeof FLAG)[]): Record<string, boolean> {
    const out: Record<string, boolean> = {};
    for (const name of names) {
      const [attribute] = this.lib.C_GetAttributeValue(this.session, handle, [{ type: FLAG[name] }]);
      out[name] = attribute.value.length > 0 && attribute.value[0] !== 0;
    }
    return out;
  }

  label(handle: pkcs11js.Handle): string {
    return this.lib.C_GetAttributeValue(this.session, handle, [{ type: pkcs11js.CKA_LABEL }])[0].value.toString('utf8');
  }

  /** An EC pair as keyledger created it before least privilege: SoftHSM2's defaults, `keyledger-ec-<id>`. */
  legacyPair(label?: (id: string) => string): string {
    const id = randomBytes(16);
    const name = label?.(id.toString('hex')) ?? `keyledger-ec-${id.toString('hex')}`;
    this.lib.C_GenerateKeyPair(
      this.session,
      { mechanism: pkcs11js.CKM_EC_KEY_PAIR_GEN },
      [
        { type: pkcs11js.CKA_TOKEN, value: true },
        { type: pkcs11js.CKA_VERIFY, value: true },
        { type: pkcs11js.CKA_EC_PARAMS, value: P256_OID },
        { type: pkcs11js.CKA_ID, value: id },
        { type: pkcs11js.CKA_LABEL, value: name },
      ],
      [
        { type: pkcs11js.CKA_TOKEN, value: true },
        { type: pkcs11js.CKA_PRIVATE, value: true },
        { type: pkcs11js.CKA_SENSITIVE, value: true },
        { type: pkcs11js.CKA_EXTRACTABLE, value: false },
        { type: pkcs11js.CKA_SIGN, value: true },
        { type: pkcs11js.CKA_ID, value: id },
        { type: pkcs11js.CKA_LABEL, value: name },
      ],
    );
    return id.toString('hex');
  }

  /** The wrapping key as earlier versions created it (encrypt/decrypt set, the rest at SoftHSM2's defaults). */
  legacyMasterKey(label: string): void {
    this.lib.C_GenerateKey(this.session, { mechanism: pkcs11js.CKM_AES_KEY_GEN }, [
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
      { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_AES },
      { type: pkcs11js.CKA_VALUE_LEN, value: 32 },
      { type: pkcs11js.CKA_TOKEN, value: true },
      { type: pkcs11js.CKA_PRIVATE, value: true },
      { type: pkcs11js.CKA_SENSITIVE, value: true },
      { type: pkcs11js.CKA_EXTRACTABLE, value: false },
      { type: pkcs11js.CKA_ENCRYPT, value: true },
      { type: pkcs11js.CKA_DECRYPT, value: true },
      { type: pkcs11js.CKA_LABEL, value: label },
    ]);
  }

  close(): void {
    this.lib.C_CloseSession(this.session);
  }
}

const FLAG = {
  token: pkcs11js.CKA_TOKEN,
  private: pkcs11js.CKA_PRIVATE,
  sensitive: pkcs11js.CKA_SENSITIVE,
  extractable: pkcs11js.CKA_EXTRACTABLE,
  copyable: pkcs11js.CKA_COPYABLE,
  encrypt: pkcs11js.CKA_ENCRYPT,
  decrypt: pkcs11js.CKA_DECRYPT,
  sign: pkcs11js.CKA_SIGN,
  signRecover: pkcs11js.CKA_SIGN_RECOVER,
  verify: pkcs11js.CKA_VERIFY,
  verifyRecover: pkcs11js.CKA_VERIFY_RECOVER,
  wrap: pkcs11js.CKA_WRAP,
  unwrap: pkcs11js.CKA_UNWRAP,
  derive: pkcs11js.CKA_DERIVE,
} as const;

const MASTER_FLAGS = ['token', 'private', 'sensitive', 'extractable', 'copyable', 'encrypt', 'decrypt', 'sign', 'verify', 'wrap', 'unwrap', 'derive'] as const;
const PRIVATE_FLAGS = ['token', 'private', 'sensitive', 'extractable', 'copyable', 'sign', 'signRecover', 'decrypt', 'unwrap', 'derive'] as const;
const PUBLIC_FLAGS = ['token', 'private', 'verify', 'verifyRecover', 'encrypt', 'wrap', 'derive'] as const;

const LEAST_MASTER = { token: true, private: true, sensitive: true, extractable: false, copyable: false, encrypt: true, decrypt: true, sign: false, verify: false, wrap: false, unwrap: false, derive: false };
const LEAST_PRIVATE = { token: true, private: true, sensitive: true, extractable: false, copyable: false, sign: true, signRecover: false, decrypt: false, unwrap: false, derive: false };
const LEAST_PUBLIC = { token: true, private: false, verify: true, verifyRecover: false, encrypt: false, wrap: false, derive: false };
// What narrowing can reach on an old object: CKA_COPYABLE is left as it was (SoftHSM2 created it true).
const NARROWED_PRIVATE = { ...LEAST_PRIVATE, copyable: true };
const NARROWED_PUBLIC = LEAST_PUBLIC;

const digest = createHash('sha256').update('rights').digest();

describeWith([softhsm2], 'PKCS#11 object rights and labels (read back with pkcs11js from SoftHSM2)', () => {
  describe('objects keyledger creates', () => {
    const TOKEN = 'keyledger-rights';
    let dir: string;
    let provider: Pkcs11KmsProvider;
    let inspector: TokenInspector;
    beforeAll(async () => {
      dir = initialiseSoftHsm2Token(TOKEN, PIN).dir;
      provider = await Pkcs11KmsProvider.create({ module: SOFTHSM2_MODULE, tokenLabel: TOKEN, pin: PIN, createMasterKey: true });
      inspector = new TokenInspector(TOKEN);
    });
    afterAll(async () => {
      inspector?.close();
      await provider?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('creates the wrapping key able to encrypt and decrypt only, sensitive, non-extractable, non-copyable', () => {
      const [master, ...others] = inspector.find([
        { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
        { type: pkcs11js.CKA_LABEL, value: 'keyledger-master' },
      ]);
      expect(others).toHaveLength(0);
      expect(inspector.flags(master, MASTER_FLAGS)).toEqual(LEAST_MASTER);
    });

    it.each([
      ['tenant', (p: Pkcs11KmsProvider) => p.createAsymmetricKey('ECC_NIST_P256'), (id: string) => `keyledger-tenant-${id}`],
      ['audit', (p: Pkcs11KmsProvider) => p.createAsymmetricKey('ECC_NIST_P256', { role: 'audit' }), (id: string) => `keyledger-audit-${id}`],
      ['break-glass', (p: Pkcs11KmsProvider) => p.createLabelledKey('keyledger-breakglass-s9'), () => 'keyledger-breakglass-s9'],
    ] as const)('creates a %s key pair: private key sign only, public key verify only, labelled by role', async (_role, create, label) => {
      const { keyId } = await create(provider);
      const privateKey = inspector.byId(keyId, pkcs11js.CKO_PRIVATE_KEY);
      const publicKey = inspector.byId(keyId, pkcs11js.CKO_PUBLIC_KEY);
      expect(inspector.flags(privateKey, PRIVATE_FLAGS)).toEqual(LEAST_PRIVATE);
      expect(inspector.flags(publicKey, PUBLIC_FLAGS)).toEqual(LEAST_PUBLIC);
      expect([inspector.label(privateKey), inspector.label(publicKey)]).toEqual([label(keyId), label(keyId)]);
      expect(await provider.sign(keyId, digest, 'ECDSA_SHA_256')).toBeInstanceOf(Uint8Array);
    });

    it('clears CKA_SIGN in the token while a key is disabled and sets it again on enable', async () => {
      const { keyId } = await provider.createAsymmetricKey('ECC_NIST_P256');
      const privateKey = inspector.byId(keyId, pkcs11js.CKO_PRIVATE_KEY);
      await provider.setKeyEnabled(keyId, false);
      expect(inspector.flags(privateKey, ['sign'])).toEqual({ sign: false });
      await expectKmsError(provider.sign(keyId, digest, 'ECDSA_SHA_256'), 'KMS_KEY_DISABLED');
      await provider.setKeyEnabled(keyId, true);
      expect(inspector.flags(privateKey, PRIVATE_FLAGS)).toEqual(LEAST_PRIVATE);
      await expectKmsError(provider.setKeyEnabled('0'.repeat(32), false), 'KMS_KEY_NOT_FOUND');
    });

    it('deletes both objects of a destroyed key and leaves the others', async () => {
      const doomed = await provider.createAsymmetricKey('ECC_NIST_P256');
      const kept = await provider.createAsymmetricKey('ECC_NIST_P256');
      expect(await provider.destroyKey(doomed.keyId)).toBe(true);
      for (const objectClass of [pkcs11js.CKO_PRIVATE_KEY, pkcs11js.CKO_PUBLIC_KEY]) {
        expect(inspector.find([{ type: pkcs11js.CKA_CLASS, value: objectClass }, { type: pkcs11js.CKA_ID, value: Buffer.from(doomed.keyId, 'hex') }])).toEqual([]);
        expect(inspector.find([{ type: pkcs11js.CKA_LABEL, value: `keyledger-tenant-${doomed.keyId}` }])).toEqual([]);
        inspector.byId(kept.keyId, objectClass);
      }
      expect(inspector.find([{ type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY }])).toHaveLength(1);
    });
  });

  describe('objects created by earlier versions', () => {
    const TOKEN = 'keyledger-legacy';
    let dir: string;
    let inspector: TokenInspector;
    let holder: Pkcs11KmsProvider;
    let options: Pkcs11KmsOptions;
    beforeAll(async () => {
      dir = initialiseSoftHsm2Token(TOKEN, PIN).dir;
      options = { module: SOFTHSM2_MODULE, tokenLabel: TOKEN, pin: PIN };
      // Keeps the module initialised (the last provider to close finalizes it) while the inspector works.
      holder = await Pkcs11KmsProvider.create({ ...options, masterKeyLabel: 'holder', createMasterKey: true });
      inspector = new TokenInspector(TOKEN);
      inspector.legacyMasterKey('keyledger-master');
    });
    afterAll(async () => {
      inspector?.close();
      await holder?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('narrows old keyledger objects at start, keeps finding and using them by CKA_ID, and leaves other applications alone', async () => {
      const legacy = inspector.legacyPair();
      const foreign = inspector.legacyPair((id) => `other-app-${id}`);
      const master = inspector.find([{ type: pkcs11js.CKA_LABEL, value: 'keyledger-master' }])[0];
      expect(inspector.flags(master, ['sign', 'wrap', 'unwrap'])).toEqual({ sign: true, wrap: true, unwrap: true });
      expect(inspector.flags(inspector.byId(legacy, pkcs11js.CKO_PRIVATE_KEY), ['decrypt', 'unwrap'])).toEqual({ decrypt: true, unwrap: true });

      const provider = await Pkcs11KmsProvider.create(options);
      try {
        expect(provider.legacyObjectsNarrowed).toBe(3); // the wrapping key, and the old pair's two objects
        expect(inspector.flags(master, MASTER_FLAGS)).toEqual({ ...LEAST_MASTER, copyable: true });
        expect(inspector.flags(inspector.byId(legacy, pkcs11js.CKO_PRIVATE_KEY), PRIVATE_FLAGS)).toEqual(NARROWED_PRIVATE);
        expect(inspector.flags(inspector.byId(legacy, pkcs11js.CKO_PUBLIC_KEY), PUBLIC_FLAGS)).toEqual(NARROWED_PUBLIC);
        expect(inspector.label(inspector.byId(legacy, pkcs11js.CKO_PRIVATE_KEY))).toBe(`keyledger-ec-${legacy}`);
        expect(inspector.flags(inspector.byId(foreign, pkcs11js.CKO_PRIVATE_KEY), ['decrypt', 'unwrap'])).toEqual({ decrypt: true, unwrap: true });

        expect(await provider.sign(legacy, digest, 'ECDSA_SHA_256')).toBeInstanceOf(Uint8Array);
        const blob = await provider.encrypt(Uint8Array.of(1), { a: 'b' });
        expect(Buffer.from(await provider.decrypt(blob, { a: 'b' }))).toEqual(Buffer.of(1));
        expect(await provider.destroyKey(legacy)).toBe(true);
        expect(inspector.find([{ type: pkcs11js.CKA_ID, value: Buffer.from(legacy, 'hex') }])).toEqual([]);
      } finally {
        await provider.close();
      }
      const again = await Pkcs11KmsProvider.create(options);
      expect(again.legacyObjectsNarrowed).toBe(0);
      await again.close();
    });
  });
});
