import { createHash, verify } from 'node:crypto';
import { keyMaterialStream, keyMaterialVersionStream, keyStream } from '@keyledger/kms-domain';
import { actor, startOps } from './support/fixture';

const codeOf = async (p: Promise<unknown>): Promise<unknown> => p.then(() => 'resolved', (e: { code?: unknown }) => e.code);
const msg = Buffer.from('pay 10 EUR to acme');

describe('key lifecycle', () => {
  it('creates a key with wrapped material in its own stream, never in the lifecycle stream', async () => {
    const { ops, store, provider } = await startOps();
    const { key, revision } = await ops.lifecycle.create(actor, { tenantId: 'acme', name: 'payments', purpose: 'sign' });
    expect(key).toMatchObject({ tenantId: 'acme', name: 'payments', algorithm: 'ECDSA_P256_SHA256', status: 'Enabled', primaryVersion: 1, mode: 'wrapped', provider: 'local' });
    expect(revision).toBe(0);
    const material = await store.readStream(keyMaterialVersionStream('acme', key.keyId, 1));
    expect(await store.readStream(keyMaterialStream('acme', key.keyId))).toEqual([]);
    expect(material[0].data).toMatchObject({ version: 1, encryptionContext: { tenantId: 'acme', keyId: key.keyId, keyVersion: '1' } });
    const lifecycle = await store.readStream(keyStream('acme', key.keyId));
    expect(JSON.stringify(lifecycle)).not.toContain((material[0].data as { wrappedMaterial: string }).wrappedMaterial);
    expect(provider.calls.encrypt).toBe(1);
    expect(ops.lifecycle.list('acme').keys.map((k) => k.keyId)).toEqual([key.keyId]);
    expect(ops.lifecycle.list('other')).toEqual({ keys: [], nextCursor: null });
  });

  it('rotates with If-Match, refuses a stale If-Match with PRECONDITION_FAILED, and applies PATCH changes', async () => {
    const { ops } = await startOps();
    const { key } = await ops.lifecycle.create(actor, { tenantId: 'acme', name: 'k', purpose: 'encrypt' });
    const rotated = await ops.lifecycle.rotate(actor, 'acme', key.keyId, { ifMatch: 0 });
    expect(rotated).toMatchObject({ revision: 1, key: { primaryVersion: 2 } });
    expect(await codeOf(ops.lifecycle.rotate(actor, 'acme', key.keyId, { ifMatch: 0 }))).toBe('PRECONDITION_FAILED');
    expect(await codeOf(ops.lifecycle.disable(actor, 'acme', key.keyId, 0))).toBe('PRECONDITION_FAILED');
    const patched = await ops.lifecycle.update(actor, 'acme', key.keyId, { minDecryptionVersion: 2, rotationPeriodDays: 30 }, 1);
    expect(patched).toMatchObject({ revision: 3, key: { minDecryptionVersion: 2, rotationPeriodDays: 30 } });
  });

  it('walks disable, enable, schedule and cancel deletion, refusing out-of-range windows', async () => {
    const { ops } = await startOps();
    const { key } = await ops.lifecycle.create(actor, { tenantId: 'acme', name: 'k', purpose: 'sign' });
    expect((await ops.lifecycle.disable(actor, 'acme', key.keyId)).key.status).toBe('Disabled');
    expect(await codeOf(ops.crypto.sign('acme', key.keyId, { message: msg }))).toBe('KEY_DISABLED');
    expect((await ops.lifecycle.enable(actor, 'acme', key.keyId)).key.status).toBe('Enabled');
    expect(await codeOf(ops.lifecycle.scheduleDeletion(actor, 'acme', key.keyId, 6))).toBe('VALIDATION_FAILED');
    const pending = await ops.lifecycle.scheduleDeletion(actor, 'acme', key.keyId, 7);
    expect(pending.key).toMatchObject({ status: 'PendingDeletion', deleteAfter: '2025-06-08T00:00:00.000Z' });
    expect(await codeOf(ops.crypto.sign('acme', key.keyId, { message: msg }))).toBe('KEY_PENDING_DELETION');
    expect((await ops.lifecycle.cancelDeletion(actor, 'acme', key.keyId)).key.status).toBe('Disabled');
  });

  it('refuses bad input before touching the provider', async () => {
    const { ops, provider } = await startOps();
    expect(await codeOf(ops.lifecycle.create(actor, { tenantId: 'acme', name: 'a/b', purpose: 'sign' }))).toBe('VALIDATION_FAILED');
    expect(await codeOf(ops.lifecycle.create(actor, { tenantId: 'acme', name: 'k', purpose: 'encrypt', algorithm: 'ED25519' }))).toBe('VALIDATION_FAILED');
    expect(await codeOf(ops.lifecycle.create(actor, { tenantId: 'acme', name: 'k', purpose: 'sign', provider: 'aws' }))).toBe('PROVIDER_MISMATCH');
    expect(provider.calls.encrypt).toBeUndefined();
  });
});

describe('signing', () => {
  it.each(['ECDSA_P256_SHA256', 'ED25519', 'RSA_PSS_2048_SHA256'] as const)('signs and verifies with %s', async (algorithm) => {
    const { ops } = await startOps();
    const { key } = await ops.lifecycle.create(actor, { tenantId: 'acme', name: 's', purpose: 'sign', algorithm });
    const signed = await ops.crypto.sign('acme', key.keyId, { message: msg });
    expect(signed).toMatchObject({ keyVersion: 1, kid: `${key.keyId}.v1`, algorithm });
    expect(await ops.crypto.verify('acme', key.keyId, { message: msg }, signed.signature)).toEqual({ valid: true, keyVersion: 1 });
    expect((await ops.crypto.verify('acme', key.keyId, { message: Buffer.from('other') }, signed.signature)).valid).toBe(false);
    const { pem, jwk } = await ops.publicKeys.publicKey('acme', key.keyId);
    expect(pem).toContain('BEGIN PUBLIC KEY');
    expect(jwk).toMatchObject({ kid: `${key.keyId}.v1`, use: 'sig' });
  });

  it('signs and verifies a SHA-256 digest with a wrapped ECDSA P-256 key; Ed25519 refuses a digest by name', async () => {
    const { ops } = await startOps();
    const { key } = await ops.lifecycle.create(actor, { tenantId: 'acme', name: 'd', purpose: 'sign' });
    const digest = createHash('sha256').update(msg).digest();
    const signed = await ops.crypto.sign('acme', key.keyId, { digest });
    const { pem } = await ops.publicKeys.publicKey('acme', key.keyId);
    expect(verify('sha256', msg, { key: pem, dsaEncoding: 'der' }, signed.signature)).toBe(true);
    expect((await ops.crypto.verify('acme', key.keyId, { digest }, signed.signature)).valid).toBe(true);
    expect((await ops.crypto.verify('acme', key.keyId, { message: msg }, signed.signature)).valid).toBe(true);
    const other = createHash('sha256').update('other').digest();
    expect((await ops.crypto.verify('acme', key.keyId, { digest: other }, signed.signature)).valid).toBe(false);
    for (const algorithm of ['ED25519'] as const) {
      const { key: k } = await ops.lifecycle.create(actor, { tenantId: 'acme', name: 'n', purpose: 'sign', algorithm });
      const error = await ops.crypto.sign('acme', k.keyId, { digest }).catch((e: unknown) => e as { code: string; message: string });
      expect(error).toMatchObject({ code: 'DIGEST_NOT_SUPPORTED', message: expect.stringContaining('ECDSA_P256_SHA256') });
      expect(await codeOf(ops.crypto.verify('acme', k.keyId, { digest }, Buffer.alloc(64)))).toBe('DIGEST_NOT_SUPPORTED');
    }
  });

  it('verifies old versions after rotation until minDecryptionVersion excludes them; JWKS lists verifiable versions', async () => {
    const { ops } = await startOps();
    const { key } = await ops.lifecycle.create(actor, { tenantId: 'acme', name: 's', purpose: 'sign' });
    const old = await ops.crypto.sign('acme', key.keyId, { message: msg });
    await ops.lifecycle.rotate(actor, 'acme', key.keyId);
    expect((await ops.crypto.sign('acme', key.keyId, { message: msg })).keyVersion).toBe(2);
    expect((await ops.crypto.verify('acme', key.keyId, { message: msg }, old.signature, 1)).valid).toBe(true);
    expect((await ops.publicKeys.jwks('acme')).keys.map((k) => k.kid)).toEqual([`${key.keyId}.v1`, `${key.keyId}.v2`]);
    await ops.lifecycle.update(actor, 'acme', key.keyId, { minDecryptionVersion: 2 });
    expect(await codeOf(ops.crypto.verify('acme', key.keyId, { message: msg }, old.signature, 1))).toBe('KEY_VERSION_NOT_ALLOWED');
    expect((await ops.publicKeys.jwks('acme')).keys.map((k) => k.kid)).toEqual([`${key.keyId}.v2`]);
  });

  it('refuses a digest for Ed25519 keys, and keys of another tenant as not found', async () => {
    const { ops } = await startOps();
    const { key } = await ops.lifecycle.create(actor, { tenantId: 'acme', name: 's', purpose: 'sign', algorithm: 'ED25519' });
    const digest = createHash('sha256').update(msg).digest();
    expect(await codeOf(ops.crypto.sign('acme', key.keyId, { digest }))).toBe('DIGEST_NOT_SUPPORTED');
    expect(await codeOf(ops.crypto.sign('globex', key.keyId, { message: msg }))).toBe('KEY_NOT_FOUND');
  });

  it('refuses to sign while frozen, with the reason, and signs again after resume', async () => {
    const { ops } = await startOps();
    const { key } = await ops.lifecycle.create(actor, { tenantId: 'acme', name: 's', purpose: 'sign' });
    expect(await ops.freeze.freeze(actor, 'KMS outage 2025-02-24T05:15Z')).toMatchObject({ frozen: true });
    const error = await ops.crypto.sign('acme', key.keyId, { message: msg }).catch((e: Error) => e);
    expect(error).toMatchObject({ code: 'SIGNING_FROZEN' });
    expect((error as Error).message).toContain('KMS outage');
    expect(await codeOf(ops.freeze.freeze(actor, 'again'))).toBe('INVALID_STATE_TRANSITION');
    await ops.freeze.resume(actor);
    expect((await ops.crypto.sign('acme', key.keyId, { message: msg })).keyVersion).toBe(1);
  });
});

describe('encryption', () => {
  it('round-trips with a bound context; another context, key or tampering is INVALID_CIPHERTEXT', async () => {
    const { ops } = await startOps();
    const { key } = await ops.lifecycle.create(actor, { tenantId: 'acme', name: 'e', purpose: 'encrypt' });
    const { key: other } = await ops.lifecycle.create(actor, { tenantId: 'acme', name: 'e2', purpose: 'encrypt' });
    const context = { order: '42' };
    const { ciphertext } = await ops.crypto.encrypt('acme', key.keyId, Buffer.from('secret'), context);
    expect(ciphertext).toMatch(/^kl1\./);
    expect((await ops.crypto.decrypt('acme', key.keyId, ciphertext, { order: '42' })).plaintext.toString()).toBe('secret');
    expect(await codeOf(ops.crypto.decrypt('acme', key.keyId, ciphertext, { order: '43' }))).toBe('INVALID_CIPHERTEXT');
    expect(await codeOf(ops.crypto.decrypt('acme', key.keyId, ciphertext))).toBe('INVALID_CIPHERTEXT');
    expect(await codeOf(ops.crypto.decrypt('acme', other.keyId, ciphertext, context))).toBe('INVALID_CIPHERTEXT');
    expect(await codeOf(ops.crypto.decrypt('acme', key.keyId, ciphertext.slice(0, -4) + 'AAAA', context))).toBe('INVALID_CIPHERTEXT');
    expect(await codeOf(ops.crypto.decrypt('acme', key.keyId, 'garbage', context))).toBe('INVALID_CIPHERTEXT');
  });

  it('rewraps to the primary version and issues data keys', async () => {
    const { ops } = await startOps();
    const { key } = await ops.lifecycle.create(actor, { tenantId: 'acme', name: 'e', purpose: 'encrypt' });
    const v1 = await ops.crypto.encrypt('acme', key.keyId, Buffer.from('secret'));
    await ops.lifecycle.rotate(actor, 'acme', key.keyId);
    const rewrapped = await ops.crypto.rewrap('acme', key.keyId, v1.ciphertext);
    expect(rewrapped.keyVersion).toBe(2);
    expect(rewrapped).not.toHaveProperty('plaintext');
    expect((await ops.crypto.decrypt('acme', key.keyId, rewrapped.ciphertext)).plaintext.toString()).toBe('secret');
    const dk = await ops.crypto.dataKey('acme', key.keyId, 128, true, { file: 'a' });
    expect(dk.plaintext).toHaveLength(16);
    expect((await ops.crypto.decrypt('acme', key.keyId, dk.ciphertext, { file: 'a' })).plaintext.equals(dk.plaintext as Buffer)).toBe(true);
    expect((await ops.crypto.dataKey('acme', key.keyId, 256, false)).plaintext).toBeNull();
    expect(await codeOf(ops.crypto.dataKey('acme', key.keyId, 512, false))).toBe('VALIDATION_FAILED');
  });
});
