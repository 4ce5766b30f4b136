import { keyMaterialStream, keyMaterialVersionStream, keyStream } from '@keyledger/kms-domain';
import { actor, startOps } from './support/fixture';

const codeOf = async (p: Promise<unknown>): Promise<unknown> => p.then(() => 'resolved', (e: { code?: unknown }) => e.code);
const msg = Buffer.from('pay 10 EUR to acme');

describe('version policy', () => {
  it('encrypts and issues data keys with a named version only at or above minEncryptionVersion', async () => {
    const { ops } = await startOps();
    const { key } = await ops.lifecycle.create(actor, { tenantId: 'acme', name: 'e', purpose: 'encrypt' });
    await ops.lifecycle.rotate(actor, 'acme', key.keyId);
    await ops.lifecycle.rotate(actor, 'acme', key.keyId);
    expect((await ops.crypto.encrypt('acme', key.keyId, msg)).keyVersion).toBe(3);
    // minEncryptionVersion 0: only the primary.
    expect(await codeOf(ops.crypto.encrypt('acme', key.keyId, msg, undefined, 2))).toBe('KEY_VERSION_NOT_ALLOWED');
    const patched = await ops.lifecycle.update(actor, 'acme', key.keyId, { minEncryptionVersion: 2 });
    expect(patched.key).toMatchObject({ minEncryptionVersion: 2, minDecryptionVersion: 1, minAvailableVersion: 1, retainVersions: 0 });
    const sealed = await ops.crypto.encrypt('acme', key.keyId, msg, undefined, 2);
    expect(sealed.keyVersion).toBe(2);
    expect((await ops.crypto.decrypt('acme', key.keyId, sealed.ciphertext)).plaintext).toEqual(msg);
    expect(await codeOf(ops.crypto.encrypt('acme', key.keyId, msg, undefined, 1))).toBe('KEY_VERSION_NOT_ALLOWED');
    expect((await ops.crypto.dataKey('acme', key.keyId, 256, false, undefined, 2)).keyVersion).toBe(2);
    expect(await codeOf(ops.crypto.dataKey('acme', key.keyId, 256, false, undefined, 1))).toBe('KEY_VERSION_NOT_ALLOWED');
    const batch = await ops.crypto.encryptBatch('acme', key.keyId, [{ plaintext: msg }], 2);
    expect(batch).toMatchObject([{ ok: true, value: { keyVersion: 2 } }]);
    expect(await codeOf(ops.lifecycle.update(actor, 'acme', key.keyId, { minDecryptionVersion: 3 }))).toBe('VALIDATION_FAILED');
    // Both at once, raised and lowered again: each step keeps minEncryptionVersion ≥ minDecryptionVersion.
    expect((await ops.lifecycle.update(actor, 'acme', key.keyId, { minEncryptionVersion: 3, minDecryptionVersion: 3 })).key).toMatchObject({ minEncryptionVersion: 3, minDecryptionVersion: 3 });
    expect((await ops.lifecycle.update(actor, 'acme', key.keyId, { minEncryptionVersion: 1, minDecryptionVersion: 1 })).key).toMatchObject({ minEncryptionVersion: 1, minDecryptionVersion: 1 });
    expect(await codeOf(ops.lifecycle.update(actor, 'acme', key.keyId, { minEncryptionVersion: 1, minDecryptionVersion: 2 }))).toBe('VALIDATION_FAILED');
  });

  it('signs with a named version once allowed, and a stale tenant cannot reach the key', async () => {
    const { ops } = await startOps();
    const { key } = await ops.lifecycle.create(actor, { tenantId: 'acme', name: 's', purpose: 'sign' });
    await ops.lifecycle.rotate(actor, 'acme', key.keyId);
    expect(await codeOf(ops.crypto.sign('acme', key.keyId, { message: msg }, { keyVersion: 1 }))).toBe('KEY_VERSION_NOT_ALLOWED');
    await ops.lifecycle.update(actor, 'acme', key.keyId, { minEncryptionVersion: 1 });
    const signed = await ops.crypto.sign('acme', key.keyId, { message: msg }, { keyVersion: 1 });
    expect(signed).toMatchObject({ keyVersion: 1, kid: `${key.keyId}.v1` });
    expect((await ops.crypto.verify('acme', key.keyId, { message: msg }, signed.signature)).valid).toBe(true);
    expect(await codeOf(ops.crypto.sign('other', key.keyId, { message: msg }, { keyVersion: 1 }))).toBe('KEY_NOT_FOUND');
    expect(await codeOf(ops.lifecycle.trim(actor, 'other', key.keyId, 2))).toBe('KEY_NOT_FOUND');
  });

  it('trims: material streams of older versions deleted, KeyVersionsTrimmed recorded, KEY_VERSION_DESTROYED after', async () => {
    const { ops, store } = await startOps();
    const { key } = await ops.lifecycle.create(actor, { tenantId: 'acme', name: 'e', purpose: 'encrypt' });
    const old = await ops.crypto.encrypt('acme', key.keyId, msg);
    await ops.lifecycle.rotate(actor, 'acme', key.keyId);
    await ops.lifecycle.rotate(actor, 'acme', key.keyId);
    const kept = await ops.crypto.encrypt('acme', key.keyId, msg);
    // Not past minDecryptionVersion.
    expect(await codeOf(ops.lifecycle.trim(actor, 'acme', key.keyId, 2))).toBe('VALIDATION_FAILED');
    expect((await store.readStream(keyMaterialVersionStream('acme', key.keyId, 1))).length).toBe(1);
    await ops.lifecycle.update(actor, 'acme', key.keyId, { minDecryptionVersion: 3 });
    const trimmed = await ops.lifecycle.trim(actor, 'acme', key.keyId, 3);
    expect(trimmed.key.minAvailableVersion).toBe(3);
    expect(trimmed.key.versions.map((v) => v.destroyed)).toEqual([true, true, false]);
    expect(await store.readStream(keyMaterialVersionStream('acme', key.keyId, 1))).toEqual([]);
    expect(await store.readStream(keyMaterialVersionStream('acme', key.keyId, 2))).toEqual([]);
    expect((await store.readStream(keyMaterialVersionStream('acme', key.keyId, 3))).length).toBe(1);
    const events = await store.readStream(keyStream('acme', key.keyId));
    const last = events[events.length - 1];
    expect(last).toMatchObject({ type: 'KeyVersionsTrimmed', data: { minAvailableVersion: 3, previousMinAvailableVersion: 1 } });
    expect(Object.keys(last.data as object).sort()).toEqual(['keyId', 'minAvailableVersion', 'previousMinAvailableVersion', 'tenantId', 'trimmedAt']);
    expect(await codeOf(ops.crypto.decrypt('acme', key.keyId, old.ciphertext))).toBe('KEY_VERSION_DESTROYED');
    expect((await ops.crypto.decrypt('acme', key.keyId, kept.ciphertext)).plaintext).toEqual(msg);
    // Once trimmed, minDecryptionVersion cannot go back below the trimmed range.
    expect(await codeOf(ops.lifecycle.update(actor, 'acme', key.keyId, { minDecryptionVersion: 2 }))).toBe('VALIDATION_FAILED');
  });

  it('shreds versions kept in the shared material stream by moving the kept ones into their own streams', async () => {
    const { ops, store } = await startOps();
    const { key } = await ops.lifecycle.create(actor, { tenantId: 'acme', name: 'legacy', purpose: 'encrypt' });
    await ops.lifecycle.rotate(actor, 'acme', key.keyId);
    // As written before per-version streams: both versions in the key's shared material stream
    // (the recorded events are moved there, as an older keyledger stored them).
    const shared = keyMaterialStream('acme', key.keyId);
    store.log
      .filter((r) => r.streamName.startsWith('keymaterialv-'))
      .forEach((r, i) => Object.assign(r, { streamName: shared, revision: i }));
    expect((await store.readStream(shared)).length).toBe(2);
    expect(await store.readStream(keyMaterialVersionStream('acme', key.keyId, 2))).toEqual([]);
    ops.cache.clear();
    const sealed = await ops.crypto.encrypt('acme', key.keyId, msg);
    await ops.lifecycle.update(actor, 'acme', key.keyId, { minDecryptionVersion: 2 });
    await ops.lifecycle.trim(actor, 'acme', key.keyId, 2);
    expect(await store.readStream(keyMaterialStream('acme', key.keyId))).toEqual([]);
    expect((await store.readStream(keyMaterialVersionStream('acme', key.keyId, 2))).map((r) => (r.data as { version: number }).version)).toEqual([2]);
    ops.cache.clear();
    expect((await ops.crypto.decrypt('acme', key.keyId, sealed.ciphertext)).plaintext).toEqual(msg);
  });

  it('retires the signers of trimmed versions but keeps them in the registry; their signatures no longer verify', async () => {
    const { ops } = await startOps({ followSigners: true });
    const { key } = await ops.lifecycle.create(actor, { tenantId: 'acme', name: 's', purpose: 'sign' });
    const old = await ops.crypto.sign('acme', key.keyId, { message: msg });
    await ops.lifecycle.rotate(actor, 'acme', key.keyId);
    await ops.signers.idle();
    await ops.lifecycle.update(actor, 'acme', key.keyId, { minDecryptionVersion: 2 });
    await ops.lifecycle.trim(actor, 'acme', key.keyId, 2);
    await ops.signers.idle();
    expect(ops.signers.find(`${key.keyId}.v1`)).toMatchObject({ status: 'Retired' });
    expect(ops.signers.find(`${key.keyId}.v2`)).toMatchObject({ status: 'Active' });
    expect(await codeOf(ops.crypto.verify('acme', key.keyId, { message: msg }, old.signature, 1))).toBe('KEY_VERSION_DESTROYED');
    expect((await ops.crypto.verify('acme', key.keyId, { message: msg }, old.signature)).valid).toBe(false);
  });
});
