import { constants, createHash, createPublicKey, verify } from 'node:crypto';
import { createSecretKey, randomBytes } from 'node:crypto';
import { ciphertextSealer, noTelemetry, openCiphertext, parseCiphertext } from '../src';
import { actor, startOps } from './support/fixture';

const codeOf = async (p: Promise<unknown>): Promise<unknown> => p.then(() => 'resolved', (e: { code?: unknown }) => e.code);
const msg = Buffer.from('release 4.2.0 artefact');

async function keyWithVersions(algorithm: 'ECDSA_P256_SHA256' | 'ED25519' | 'RSA_PSS_2048_SHA256', versions: number) {
  const f = await startOps();
  const { key } = await f.ops.lifecycle.create(actor, { tenantId: 'acme', name: 'multi', purpose: 'sign', algorithm });
  const signatures = [await f.ops.crypto.sign('acme', key.keyId, { message: msg })];
  for (let v = 2; v <= versions; v++) {
    await f.ops.lifecycle.rotate(actor, 'acme', key.keyId);
    signatures.push(await f.ops.crypto.sign('acme', key.keyId, { message: msg }));
  }
  return { ...f, keyId: key.keyId, signatures };
}

describe('verification that finds the version', () => {
  it.each([
    ['ECDSA_P256_SHA256', 2],
    ['ECDSA_P256_SHA256', 6],
    ['ED25519', 3],
    ['RSA_PSS_2048_SHA256', 3],
  ] as const)('verifies a signature of any verifiable version without keyVersion (%s, %i versions), answering the version that matched', async (algorithm, versions) => {
    const { ops, keyId, signatures } = await keyWithVersions(algorithm, versions);
    for (const s of signatures) {
      expect(await ops.crypto.verify('acme', keyId, { message: msg }, s.signature)).toEqual({ valid: true, keyVersion: s.keyVersion });
      expect(await ops.crypto.verify('acme', keyId, { message: Buffer.from('other') }, s.signature)).toEqual({ valid: false });
    }
    // With a version asked for, only that version counts.
    expect(await ops.crypto.verify('acme', keyId, { message: msg }, signatures[0].signature, versions)).toEqual({ valid: false, keyVersion: versions });
  });

  it('does not accept a version below minDecryptionVersion, asked for or not', async () => {
    const { ops, keyId, signatures } = await keyWithVersions('ECDSA_P256_SHA256', 5);
    await ops.lifecycle.update(actor, 'acme', keyId, { minDecryptionVersion: 3 });
    expect(await ops.crypto.verify('acme', keyId, { message: msg }, signatures[0].signature)).toEqual({ valid: false });
    expect(await ops.crypto.verify('acme', keyId, { message: msg }, signatures[3].signature)).toEqual({ valid: true, keyVersion: 4 });
    expect(await codeOf(ops.crypto.verify('acme', keyId, { message: msg }, signatures[0].signature, undefined, { kid: `${keyId}.v1` }))).toBe('KEY_VERSION_NOT_ALLOWED');
  });

  it('takes a kid in place of keyVersion, and refuses a kid of another key or one that contradicts keyVersion', async () => {
    const { ops, keyId, signatures } = await keyWithVersions('ECDSA_P256_SHA256', 2);
    expect(await ops.crypto.verify('acme', keyId, { message: msg }, signatures[0].signature, undefined, { kid: signatures[0].kid })).toEqual({ valid: true, keyVersion: 1 });
    expect(await ops.crypto.verify('acme', keyId, { message: msg }, signatures[0].signature, undefined, { kid: `${keyId}.v2` })).toEqual({ valid: false, keyVersion: 2 });
    expect(await codeOf(ops.crypto.verify('acme', keyId, { message: msg }, signatures[0].signature, undefined, { kid: 'other-key.v1' }))).toBe('INVALID_SIGNATURE_INPUT');
    expect(await codeOf(ops.crypto.verify('acme', keyId, { message: msg }, signatures[0].signature, 2, { kid: `${keyId}.v1` }))).toBe('INVALID_SIGNATURE_INPUT');
  });

  it('answers a self-describing signature string that verifies alone after rotation', async () => {
    const { ops, keyId, signatures } = await keyWithVersions('ED25519', 3);
    const s = signatures[0].signatureString;
    expect(s).toBe(`kl1sig.${keyId}.v1.${signatures[0].signature.toString('base64url')}`);
    expect(await ops.crypto.verifySignatureString('acme', keyId, { message: msg }, s)).toEqual({ valid: true, keyVersion: 1 });
    expect(await ops.crypto.verifySignatureString('acme', keyId, { message: Buffer.from('x') }, s)).toEqual({ valid: false, keyVersion: 1 });
    const other = (await ops.lifecycle.create(actor, { tenantId: 'acme', name: 'other', purpose: 'sign', algorithm: 'ED25519' })).key.keyId;
    expect(await codeOf(ops.crypto.verifySignatureString('acme', other, { message: msg }, s))).toBe('INVALID_SIGNATURE_INPUT');
    for (const bad of ['kl1sig.', `kl1sig.${keyId}.${signatures[0].signature.toString('base64url')}`, `kl2sig.${keyId}.v1.AAAA`, `kl1sig.${keyId}.v1.not+base64url`]) {
      expect(await codeOf(ops.crypto.verifySignatureString('acme', keyId, { message: msg }, bad))).toBe('INVALID_SIGNATURE_INPUT');
    }
  });
});

describe('signature marshaling', () => {
  it('answers ECDSA as raw r‖s on request; raw verifies as raw and as IEEE P1363 with node:crypto', async () => {
    const { ops, keyId } = await keyWithVersions('ECDSA_P256_SHA256', 1);
    const raw = await ops.crypto.sign('acme', keyId, { message: msg }, { marshaling: 'raw' });
    expect(raw.signature).toHaveLength(64);
    const { pem } = await ops.publicKeys.publicKey('acme', keyId);
    expect(verify('sha256', msg, { key: pem, dsaEncoding: 'ieee-p1363' }, raw.signature)).toBe(true);
    expect(await ops.crypto.verify('acme', keyId, { message: msg }, raw.signature, 1, { marshaling: 'raw' })).toEqual({ valid: true, keyVersion: 1 });
    expect((await ops.crypto.verify('acme', keyId, { message: msg }, raw.signature, 1)).valid).toBe(false);
    expect((await ops.crypto.verify('acme', keyId, { message: msg }, raw.signature.subarray(1), 1, { marshaling: 'raw' })).valid).toBe(false);
  });
});

describe('prehashed input', () => {
  it.each(['SHA-256', 'SHA-384', 'SHA-512'] as const)('signs a %s digest with ECDSA P-256 and RSA-PSS keys; node:crypto verifies it over the message', async (hashAlgorithm) => {
    const node = hashAlgorithm.replace('-', '').toLowerCase();
    const digest = createHash(node).update(msg).digest();
    for (const algorithm of ['ECDSA_P256_SHA256', 'RSA_PSS_2048_SHA256'] as const) {
      const { ops, keyId } = await keyWithVersions(algorithm, 1);
      const signed = await ops.crypto.sign('acme', keyId, { digest, hashAlgorithm });
      const publicKey = createPublicKey((await ops.publicKeys.publicKey('acme', keyId)).pem);
      const options = algorithm === 'ECDSA_P256_SHA256' ? { key: publicKey } : { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: digest.length };
      expect({ algorithm, valid: verify(node, msg, options, signed.signature) }).toEqual({ algorithm, valid: true });
      expect(await ops.crypto.verify('acme', keyId, { digest, hashAlgorithm }, signed.signature)).toEqual({ valid: true, keyVersion: 1 });
      const other = createHash(node).update('other').digest();
      expect((await ops.crypto.verify('acme', keyId, { digest: other, hashAlgorithm }, signed.signature)).valid).toBe(false);
    }
  });

  it('refuses a digest of the wrong length for its hash, and a digest for Ed25519 keys', async () => {
    const { ops, keyId } = await keyWithVersions('RSA_PSS_2048_SHA256', 1);
    expect(await codeOf(ops.crypto.sign('acme', keyId, { digest: Buffer.alloc(32), hashAlgorithm: 'SHA-384' }))).toBe('VALIDATION_FAILED');
    const ed = await keyWithVersions('ED25519', 1);
    const error = await ed.ops.crypto.sign('acme', ed.keyId, { digest: Buffer.alloc(32) }).catch((e: { code: string; message: string }) => e);
    expect(error).toMatchObject({ code: 'DIGEST_NOT_SUPPORTED', message: expect.stringContaining('RSA_PSS_2048_SHA256') });
  });
});

describe('JWT', () => {
  it('signs a compact JWS whose header names the JWKS kid and whose claims gain iat; it verifies, and node:crypto agrees', async () => {
    const { ops, keyId, clock } = await keyWithVersions('ECDSA_P256_SHA256', 1);
    const signed = await ops.jwt.sign('acme', keyId, { sub: 'build-7' }, { typ: 'JWT' });
    expect(signed).toMatchObject({ kid: `${keyId}.v1`, keyVersion: 1, algorithm: 'ES256' });
    const [h, p, s] = signed.jwt.split('.');
    expect(JSON.parse(Buffer.from(h, 'base64url').toString())).toEqual({ alg: 'ES256', kid: `${keyId}.v1`, typ: 'JWT' });
    expect(JSON.parse(Buffer.from(p, 'base64url').toString())).toEqual({ sub: 'build-7', iat: Math.floor(clock.now().getTime() / 1000) });
    const { pem } = await ops.publicKeys.publicKey('acme', keyId);
    expect(verify('sha256', Buffer.from(`${h}.${p}`), { key: pem, dsaEncoding: 'ieee-p1363' }, Buffer.from(s, 'base64url'))).toBe(true);
    expect(await ops.jwt.verify('acme', keyId, signed.jwt)).toEqual({ valid: true, kid: `${keyId}.v1`, keyVersion: 1, claims: { sub: 'build-7', iat: expect.any(Number) } });
    const tampered = `${h}.${Buffer.from(JSON.stringify({ sub: 'build-8' })).toString('base64url')}.${s}`;
    expect(await ops.jwt.verify('acme', keyId, tampered)).toEqual({ valid: false, kid: `${keyId}.v1`, keyVersion: 1, reason: 'signature' });
  });

  it('checks exp and nbf with the clock tolerance, the kid against this key and the alg', async () => {
    const { ops, keyId, clock } = await keyWithVersions('ED25519', 1);
    const now = Math.floor(clock.now().getTime() / 1000);
    const expired = (await ops.jwt.sign('acme', keyId, { exp: now - 61 })).jwt;
    expect(await ops.jwt.verify('acme', keyId, expired)).toMatchObject({ valid: false, reason: 'expired' });
    expect((await ops.jwt.verify('acme', keyId, (await ops.jwt.sign('acme', keyId, { exp: now - 30 })).jwt)).valid).toBe(true);
    expect(await ops.jwt.verify('acme', keyId, (await ops.jwt.sign('acme', keyId, { nbf: now + 120 })).jwt)).toMatchObject({ valid: false, reason: 'not_yet_valid' });
    const other = (await ops.lifecycle.create(actor, { tenantId: 'acme', name: 'other', purpose: 'sign', algorithm: 'ED25519' })).key.keyId;
    const token = (await ops.jwt.sign('acme', other, { sub: 'x' })).jwt;
    expect(await ops.jwt.verify('acme', keyId, token)).toEqual({ valid: false, reason: 'kid' });
    const [, p, s] = token.split('.');
    const wrongAlg = `${Buffer.from(JSON.stringify({ alg: 'ES256', kid: `${keyId}.v1` })).toString('base64url')}.${p}.${s}`;
    expect(await ops.jwt.verify('acme', keyId, wrongAlg)).toMatchObject({ valid: false, reason: 'alg' });
    expect(await codeOf(ops.jwt.verify('acme', keyId, 'a.b'))).toBe('INVALID_JWT');
    expect(await codeOf(ops.jwt.verify('acme', keyId, `${Buffer.from('[1]').toString('base64url')}.${p}.${s}`))).toBe('INVALID_JWT');
    expect(await codeOf(ops.jwt.sign('acme', keyId, { sub: 'x' }, { alg: 'none' }))).toBe('VALIDATION_FAILED');
    expect(await codeOf(ops.jwt.sign('acme', keyId, { sub: 'x' }, { kid: 'mine' }))).toBe('VALIDATION_FAILED');
  });

  it('uses PS256 for RSA-PSS keys and verifies a v1 token after rotation', async () => {
    const { ops, keyId } = await keyWithVersions('RSA_PSS_2048_SHA256', 1);
    const v1 = await ops.jwt.sign('acme', keyId, { sub: 'a' });
    expect(v1.algorithm).toBe('PS256');
    await ops.lifecycle.rotate(actor, 'acme', keyId);
    expect((await ops.jwt.sign('acme', keyId, { sub: 'b' })).kid).toBe(`${keyId}.v2`);
    expect(await ops.jwt.verify('acme', keyId, v1.jwt)).toMatchObject({ valid: true, keyVersion: 1 });
  });
});

describe('batches', () => {
  it('signs every item with one key lookup, answering a bad item in its place', async () => {
    const { ops, keyId } = await keyWithVersions('ECDSA_P256_SHA256', 1);
    const out = await ops.crypto.signBatch('acme', keyId, [{ input: { message: msg } }, { input: { digest: Buffer.alloc(31) } }, { input: { message: msg }, marshaling: 'raw' }]);
    expect(out.map((o) => o.ok)).toEqual([true, false, true]);
    expect(out[1]).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    if (out[2].ok) expect(out[2].value.signature).toHaveLength(64);
  });

  it('decrypts items of several versions with one cache lookup per version; a tampered or foreign item fails alone and names no other item', async () => {
    const { ops } = await startOps();
    const { key } = await ops.lifecycle.create(actor, { tenantId: 'acme', name: 'e', purpose: 'encrypt' });
    const other = (await ops.lifecycle.create(actor, { tenantId: 'acme', name: 'e2', purpose: 'encrypt' })).key.keyId;
    const v1 = await ops.crypto.encryptBatch('acme', key.keyId, Array.from({ length: 20 }, (_, i) => ({ plaintext: Buffer.from(`secret-${i}`) })));
    await ops.lifecycle.rotate(actor, 'acme', key.keyId);
    const v2 = await ops.crypto.encryptBatch('acme', key.keyId, Array.from({ length: 20 }, (_, i) => ({ plaintext: Buffer.from(`secret-${20 + i}`), context: { n: String(i) } })));
    const foreign = await ops.crypto.encrypt('acme', other, Buffer.from('foreign'));
    const texts = [...v1, ...v2].map((o) => (o.ok ? o.value.ciphertext : ''));
    ops.cache.clear();
    const before = ops.cache.stats();
    const items = texts.map((ciphertext, i) => ({ ciphertext, context: i >= 20 ? { n: String(i - 20) } : undefined }));
    items[3] = { ciphertext: `${texts[3].slice(0, -4)}AAAA`, context: undefined };
    items.push({ ciphertext: foreign.ciphertext, context: undefined });
    const out = await ops.crypto.decryptBatch('acme', key.keyId, items);
    const after = ops.cache.stats();
    expect(after.hits + after.misses - before.hits - before.misses).toBe(2);
    expect(out.filter((o) => !o.ok).length).toBe(2);
    expect(out[3]).toMatchObject({ ok: false, error: { code: 'INVALID_CIPHERTEXT' } });
    expect(out[40]).toMatchObject({ ok: false, error: { code: 'INVALID_CIPHERTEXT' } });
    expect(String((out[3] as { error: Error }).error.message)).not.toMatch(/secret|foreign/);
    expect(out.map((o) => (o.ok ? o.value.plaintext.toString() : null))).toEqual([...Array.from({ length: 40 }, (_, i) => (i === 3 ? null : `secret-${i}`)), null]);
    expect(out.map((o) => (o.ok ? o.value.keyVersion : 0)).filter((v) => v === 1)).toHaveLength(19);
  });

  it('rewraps and makes data keys per item; a bad context or bit count fails alone', async () => {
    const { ops } = await startOps();
    const { key } = await ops.lifecycle.create(actor, { tenantId: 'acme', name: 'e', purpose: 'encrypt' });
    const sealed = await ops.crypto.encrypt('acme', key.keyId, Buffer.from('pan 4111'), { order: '1' });
    await ops.lifecycle.rotate(actor, 'acme', key.keyId);
    const rewrapped = await ops.crypto.rewrapBatch('acme', key.keyId, [{ ciphertext: sealed.ciphertext, context: { order: '1' } }, { ciphertext: sealed.ciphertext, context: { order: '2' } }]);
    expect(rewrapped[0]).toMatchObject({ ok: true, value: { keyVersion: 2 } });
    expect(rewrapped[1]).toMatchObject({ ok: false, error: { code: 'INVALID_CIPHERTEXT' } });
    if (rewrapped[0].ok) expect((await ops.crypto.decrypt('acme', key.keyId, rewrapped[0].value.ciphertext, { order: '1' })).plaintext.toString()).toBe('pan 4111');
    const keys = await ops.crypto.dataKeyBatch('acme', key.keyId, [{ bits: 128, includePlaintext: true }, { bits: 512, includePlaintext: true }, { bits: 256, includePlaintext: false }]);
    expect(keys.map((o) => o.ok)).toEqual([true, false, true]);
    if (keys[0].ok) expect(keys[0].value.plaintext).toHaveLength(16);
    if (keys[2].ok) expect(keys[2].value.plaintext).toBeNull();
  });

  it('verifies a batch of mixed forms, looking each version up once', async () => {
    const { ops, keyId, signatures } = await keyWithVersions('ECDSA_P256_SHA256', 3);
    const out = await ops.crypto.verifyBatch('acme', keyId, [
      { input: { message: msg }, signature: signatures[0].signature },
      { input: { message: msg }, signature: signatures[1].signature, keyVersion: 2 },
      { input: { message: msg }, signature: signatures[2].signature, kid: 'nope.v1' },
      { input: { message: msg }, signatureString: signatures[2].signatureString },
      { input: { message: Buffer.from('x') }, signatureString: signatures[2].signatureString },
    ]);
    expect(out.map((o) => (o.ok ? o.value : (o.error as { code: string }).code))).toEqual([
      { valid: true, keyVersion: 1 },
      { valid: true, keyVersion: 2 },
      'INVALID_SIGNATURE_INPUT',
      { valid: true, keyVersion: 3 },
      { valid: false, keyVersion: 3 },
    ]);
  });

  it('refuses the whole batch for a key that cannot serve (disabled)', async () => {
    const { ops, keyId } = await keyWithVersions('ECDSA_P256_SHA256', 1);
    await ops.lifecycle.disable(actor, 'acme', keyId);
    expect(await codeOf(ops.crypto.signBatch('acme', keyId, [{ input: { message: msg } }]))).toBe('KEY_DISABLED');
    expect(await codeOf(ops.crypto.verifyBatch('acme', keyId, [{ input: { message: msg }, signature: Buffer.alloc(64) }]))).toBe('KEY_DISABLED');
  });

  it('counts each item in the operation metrics by its own outcome, and every item of a batch refused whole', async () => {
    const counted: string[] = [];
    const telemetry = { ...noTelemetry, operation: (op: string, outcome: string) => counted.push(`${op}:${outcome}`), error: (op: string, code: string) => counted.push(`${op}!${code}`) };
    const { ops } = await startOps({ telemetry });
    const { key } = await ops.lifecycle.create(actor, { tenantId: 'acme', name: 's', purpose: 'sign' });
    await ops.crypto.signBatch('acme', key.keyId, [{ input: { message: msg } }, { input: { digest: Buffer.alloc(3) } }, { input: { message: msg } }]);
    expect(counted.filter((c) => c.startsWith('sign')).sort()).toEqual(['sign!VALIDATION_FAILED', 'sign:error', 'sign:success', 'sign:success']);
    counted.length = 0;
    await ops.freeze.freeze(actor, 'drill');
    expect(await codeOf(ops.crypto.signBatch('acme', key.keyId, [{ input: { message: msg } }, { input: { message: msg } }]))).toBe('SIGNING_FROZEN');
    expect(counted.filter((c) => c.startsWith('sign'))).toEqual(['sign:refused', 'sign!SIGNING_FROZEN', 'sign:refused', 'sign!SIGNING_FROZEN']);
    // A single call counts once (the facade's per-call counting), a batch once per item, never both.
    counted.length = 0;
    const { key: enc } = await ops.lifecycle.create(actor, { tenantId: 'acme', name: 'e', purpose: 'encrypt' });
    await ops.crypto.dataKey('acme', enc.keyId, 256, false);
    expect(counted.filter((c) => c.startsWith('data_key'))).toEqual(['data_key:success']);
    counted.length = 0;
    await ops.crypto.dataKeyBatch('acme', enc.keyId, [{ bits: 256, includePlaintext: false }, { bits: 128, includePlaintext: false }]);
    expect(counted.filter((c) => c.startsWith('data_key'))).toEqual(['data_key:success', 'data_key:success']);
  });

  it('seals a batch with one nonce draw: every nonce distinct, every ciphertext opens, no more than asked for', () => {
    const key = createSecretKey(randomBytes(32));
    const seal = ciphertextSealer(key, { tenantId: 'acme', keyId: 'k', version: 3 }, 50);
    const sealed = Array.from({ length: 50 }, (_, i) => seal(Buffer.from(`item ${i}`), { i: String(i) }));
    expect(new Set(sealed.map((c) => parseCiphertext(c).iv.toString('hex'))).size).toBe(50);
    sealed.forEach((c, i) => expect(openCiphertext(key, parseCiphertext(c), { i: String(i) }).toString()).toBe(`item ${i}`));
    expect(parseCiphertext(sealed[0]).header).toEqual({ tenantId: 'acme', keyId: 'k', version: 3 });
    expect(() => seal(Buffer.from('one more'), {})).toThrow('more than 50');
  });
});
