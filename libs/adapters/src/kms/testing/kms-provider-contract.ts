import { createHash, createPublicKey, randomBytes, verify } from 'node:crypto';
import { isKmsProviderError, type KmsErrorCode, type KmsProvider, type KmsProviderError } from '@keyledger/kms-domain';
import { describeWith, openssl } from '@keyledger/testing';
import { opensslVerify } from './openssl-verify';

/** What the contract suite needs from one adapter under test. */
export interface KmsContractHarness {
  readonly provider: KmsProvider;
  /** A key id in this provider's id format that names no key. */
  readonly unknownKeyId: string;
  /** Disables a key (the master key or a resident key) the way an operator would for this provider. */
  disableKey(keyId: string): Promise<void>;
  enableKey(keyId: string): Promise<void>;
  close(): Promise<void>;
}

/** Awaits a call that must fail with a port error of the given code and returns that error. */
export async function expectKmsError(call: Promise<unknown>, code: KmsErrorCode): Promise<KmsProviderError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isKmsProviderError(error)) throw new Error(`expected a KmsProviderError ${code}, got ${String(error)}`);
  expect(error.code).toBe(code);
  return error;
}

/** Fails when any rendering of a secret (utf8, hex, base64) appears in the error's message, stack or fields. */
export function expectNoSecretIn(error: unknown, secrets: readonly Uint8Array[]): void {
  const e = error as Error;
  const text = `${e.message}\n${e.stack ?? ''}\n${JSON.stringify(error)}`;
  for (const secret of secrets) {
    const b = Buffer.from(secret);
    for (const form of [b.toString('hex'), b.toString('base64'), b.toString('base64url'), b.toString('latin1')]) {
      expect(text.includes(form)).toBe(false);
    }
  }
}

const CONTEXT = { tenantId: 'tenant-a', keyType: 'encryption', version: '3' } as const;
const REORDERED = { version: '3', keyType: 'encryption', tenantId: 'tenant-a' } as const;
const sha256 = (data: Uint8Array) => new Uint8Array(createHash('sha256').update(data).digest());

/**
 * The provider port's behaviour, written once and run unchanged against every adapter: round
 * trips, exact context matching, tampered/truncated blobs, unknown and disabled keys, signatures
 * that node:crypto and openssl verify, aborts, and errors that never carry secrets.
 */
export function kmsProviderContract(name: string, createHarness: () => Promise<KmsContractHarness>): void {
  describe(`KMS provider contract: ${name}`, () => {
    let h: KmsContractHarness;
    const p = () => h.provider;
    beforeAll(async () => {
      h = await createHarness();
    });
    afterAll(async () => {
      await h?.close();
    });

    describe('data keys and wrapping', () => {
      it('generates a 32-byte data key whose blob unwraps to it with the same context in any order', async () => {
        const key = await p().generateDataKey(CONTEXT);
        expect(key.plaintext).toHaveLength(32);
        expect(Buffer.from(key.wrapped).includes(Buffer.from(key.plaintext))).toBe(false);
        expect(Buffer.from(await p().decrypt(key.wrapped, REORDERED))).toEqual(Buffer.from(key.plaintext));
      });

      it('generates a different key and blob every time', async () => {
        const [a, b] = await Promise.all([p().generateDataKey(CONTEXT), p().generateDataKey(CONTEXT)]);
        expect(Buffer.from(a.plaintext).equals(Buffer.from(b.plaintext))).toBe(false);
        expect(Buffer.from(a.wrapped).equals(Buffer.from(b.wrapped))).toBe(false);
      });

      it('round-trips up to 4 KiB and with an empty context', async () => {
        for (const [size, context] of [[1, {}], [100, CONTEXT], [4096, CONTEXT]] as const) {
          const plaintext = new Uint8Array(randomBytes(size));
          const blob = await p().encrypt(plaintext, context);
          expect(Buffer.from(await p().decrypt(blob, { ...context }))).toEqual(Buffer.from(plaintext));
        }
      });

      it('rejects plaintext that is empty or above 4 KiB', async () => {
        await expectKmsError(p().encrypt(new Uint8Array(4097), CONTEXT), 'KMS_INVALID_REQUEST');
        await expectKmsError(p().encrypt(new Uint8Array(0), CONTEXT), 'KMS_INVALID_REQUEST');
      });

      it.each([
        ['a different value', { ...CONTEXT, tenantId: 'tenant-b' }],
        ['a missing pair', { tenantId: 'tenant-a', keyType: 'encryption' }],
        ['an extra pair', { ...CONTEXT, extra: 'x' }],
        ['a renamed key', { tenant_id: 'tenant-a', keyType: 'encryption', version: '3' }],
        ['no context', {}],
      ])('refuses to unwrap with %s in the context', async (_label, context) => {
        const blob = await p().encrypt(Uint8Array.of(1, 2, 3), CONTEXT);
        const error = await expectKmsError(p().decrypt(blob, context), 'KMS_INVALID_CIPHERTEXT');
        expect(error.transient).toBe(false);
      });

      it('refuses tampered blobs wherever the change is', async () => {
        const blob = await p().encrypt(new Uint8Array(randomBytes(64)), CONTEXT);
        for (const index of [0, 5, Math.floor(blob.length / 2), blob.length - 1]) {
          const tampered = Uint8Array.from(blob);
          tampered[index] ^= 0x01;
          await expectKmsError(p().decrypt(tampered, CONTEXT), 'KMS_INVALID_CIPHERTEXT');
        }
      });

      it('refuses truncated and empty blobs', async () => {
        const blob = await p().encrypt(new Uint8Array(randomBytes(64)), CONTEXT);
        for (const length of [0, 1, 16, Math.floor(blob.length / 2), blob.length - 1]) {
          await expectKmsError(p().decrypt(blob.subarray(0, length), CONTEXT), 'KMS_INVALID_CIPHERTEXT');
        }
      });

      it('describes the master key as enabled for encryption and reports healthy', async () => {
        const description = await p().describeKey();
        expect(description).toMatchObject({ state: 'Enabled', usage: 'ENCRYPT_DECRYPT', keySpec: 'SYMMETRIC_DEFAULT' });
        expect(await p().healthProbe()).toMatchObject({ status: 'up', provider: p().kind });
      });
    });

    describe('provider-resident signing keys', () => {
      it('signs a digest with a DER signature that node:crypto verifies against the DER SPKI public key', async () => {
        const { keyId } = await p().createAsymmetricKey('ECC_NIST_P256');
        const publicKey = createPublicKey({ key: Buffer.from(await p().getPublicKey(keyId)), format: 'der', type: 'spki' });
        expect(publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
        const message = new TextEncoder().encode('keyledger contract message');
        const signature = await p().sign(keyId, sha256(message), 'ECDSA_SHA_256');
        expect(signature[0]).toBe(0x30);
        expect(verify('sha256', message, publicKey, signature)).toBe(true);
        expect(verify('sha256', new TextEncoder().encode('another message'), publicKey, signature)).toBe(false);
        expect(await p().describeKey(keyId)).toMatchObject({ keyId, state: 'Enabled', usage: 'SIGN_VERIFY', keySpec: 'ECC_NIST_P256' });
      });

      it('rejects a digest that is not 32 bytes', async () => {
        const { keyId } = await p().createAsymmetricKey('ECC_NIST_P256');
        await expectKmsError(p().sign(keyId, new Uint8Array(20), 'ECDSA_SHA_256'), 'KMS_INVALID_REQUEST');
      });

      it('reports unknown keys as not found', async () => {
        await expectKmsError(p().sign(h.unknownKeyId, new Uint8Array(32), 'ECDSA_SHA_256'), 'KMS_KEY_NOT_FOUND');
        await expectKmsError(p().getPublicKey(h.unknownKeyId), 'KMS_KEY_NOT_FOUND');
        await expectKmsError(p().describeKey(h.unknownKeyId), 'KMS_KEY_NOT_FOUND');
      });

      it('destroys a resident key for good: it no longer signs, destroying it again or an unknown key answers false', async () => {
        const { keyId } = await p().createAsymmetricKey('ECC_NIST_P256', { role: 'audit' });
        expect(await p().sign(keyId, new Uint8Array(32), 'ECDSA_SHA_256')).toBeInstanceOf(Uint8Array);
        expect(await p().destroyKey(keyId)).toBe(true);
        const refused = await p().sign(keyId, new Uint8Array(32), 'ECDSA_SHA_256').then(
          () => undefined,
          (e: unknown) => e,
        );
        // Gone at once (HSM, local) or pending deletion (AWS's shortest window): never usable again.
        expect(isKmsProviderError(refused) && { code: refused.code, transient: refused.transient }).toEqual({
          code: expect.stringMatching(/^KMS_(KEY_NOT_FOUND|INVALID_STATE)$/),
          transient: false,
        });
        const described = await p().describeKey(keyId).then(
          (d) => d.state,
          (e: unknown) => (isKmsProviderError(e) ? e.code : e),
        );
        expect(['KMS_KEY_NOT_FOUND', 'PendingDeletion']).toContain(described);
        expect(await p().destroyKey(keyId)).toBe(false);
        expect(await p().destroyKey(h.unknownKeyId)).toBe(false);
      });

      it('refuses to destroy the master key, which keeps working', async () => {
        await expectKmsError(p().destroyKey(p().masterKeyId), 'KMS_INVALID_REQUEST');
        const blob = await p().encrypt(Uint8Array.of(5), CONTEXT);
        expect(Buffer.from(await p().decrypt(blob, CONTEXT))).toEqual(Buffer.of(5));
      });

      describeWith([openssl], 'verified by openssl', () => {
        it('produces signatures that `openssl dgst -verify` accepts, and rejects a changed message', async () => {
          const { keyId } = await p().createAsymmetricKey('ECC_NIST_P256');
          const message = randomBytes(300);
          const signature = await p().sign(keyId, sha256(message), 'ECDSA_SHA_256');
          const publicKey = await p().getPublicKey(keyId);
          expect(opensslVerify(publicKey, signature, message)).toBe(true);
          expect(opensslVerify(publicKey, signature, Buffer.concat([message, Buffer.of(0)]))).toBe(false);
        });
      });
    });

    describe('disabled keys', () => {
      it('refuses to sign or export with a disabled key, and works again once enabled', async () => {
        const { keyId } = await p().createAsymmetricKey('ECC_NIST_P256');
        await h.disableKey(keyId);
        try {
          expect((await p().describeKey(keyId)).state).toBe('Disabled');
          const error = await expectKmsError(p().sign(keyId, new Uint8Array(32), 'ECDSA_SHA_256'), 'KMS_KEY_DISABLED');
          expect(error.transient).toBe(false);
        } finally {
          await h.enableKey(keyId);
        }
        expect(await p().sign(keyId, new Uint8Array(32), 'ECDSA_SHA_256')).toBeInstanceOf(Uint8Array);
      });

      it('refuses to wrap or unwrap while the master key is disabled, and reports unhealthy', async () => {
        const blob = await p().encrypt(Uint8Array.of(9), CONTEXT);
        await h.disableKey(p().masterKeyId);
        try {
          await expectKmsError(p().generateDataKey(CONTEXT), 'KMS_KEY_DISABLED');
          await expectKmsError(p().encrypt(Uint8Array.of(9), CONTEXT), 'KMS_KEY_DISABLED');
          await expectKmsError(p().decrypt(blob, CONTEXT), 'KMS_KEY_DISABLED');
          expect(await p().healthProbe()).toMatchObject({ status: 'down', code: 'KMS_KEY_DISABLED' });
        } finally {
          await h.enableKey(p().masterKeyId);
        }
        expect(Buffer.from(await p().decrypt(blob, CONTEXT))).toEqual(Buffer.of(9));
      });
    });

    describe('aborts and secrecy', () => {
      it('fails an already aborted call with a transient KMS_ABORTED', async () => {
        const controller = new AbortController();
        controller.abort();
        const error = await expectKmsError(p().generateDataKey(CONTEXT, { signal: controller.signal }), 'KMS_ABORTED');
        expect(error.transient).toBe(true);
      });

      it('never puts plaintext, data keys or blobs in error messages', async () => {
        const secret = new TextEncoder().encode('TOP-SECRET-PLAINTEXT-0123456789');
        const dataKey = await p().generateDataKey(CONTEXT);
        const blob = await p().encrypt(secret, CONTEXT);
        const errors = await Promise.all([
          expectKmsError(p().decrypt(blob, { other: 'context' }), 'KMS_INVALID_CIPHERTEXT'),
          expectKmsError(p().decrypt(dataKey.wrapped, {}), 'KMS_INVALID_CIPHERTEXT'),
          expectKmsError(p().decrypt(blob.subarray(0, blob.length - 3), CONTEXT), 'KMS_INVALID_CIPHERTEXT'),
          expectKmsError(p().encrypt(new Uint8Array([...secret, ...new Uint8Array(4096)]), CONTEXT), 'KMS_INVALID_REQUEST'),
        ]);
        for (const error of errors) expectNoSecretIn(error, [secret, dataKey.plaintext, blob, dataKey.wrapped]);
      });
    });
  });
}
