import { createHash, createPublicKey, verify } from 'node:crypto';
import { rmSync } from 'node:fs';
import { describeWith, softhsm2, SOFTHSM2_MODULE } from '@keyledger/testing';
import { TOKENS, b64, startHarness, type Harness } from './support/api-harness';
import { initialiseSoftHsmToken, startKmsTestServer } from './support/providers';

/**
 * The same end-to-end crypto suite over HTTP with a real provider behind the API: wrapped keys
 * (material wrapped by the provider) and provider-resident signing keys, message and digest.
 */
function cryptoSuite(provider: string, harness: () => Harness): void {
  const call = (...args: Parameters<Harness['call']>) => harness().call(...args);

  it(`${provider}: creates wrapped keys; signs and verifies; encrypts, decrypts and makes data keys`, async () => {
    const sign = await call('POST', '/v1/keys', TOKENS.acmeKeyAdmin, { tenantId: 'acme', name: 'sig', purpose: 'sign' });
    expect(sign).toMatchObject({ status: 201, body: { provider, mode: 'wrapped' } });
    const signed = await call('POST', `/v1/keys/${sign.body.keyId}/sign`, TOKENS.acmeClient, { message: b64('hello') });
    expect(signed.status).toBe(200);
    expect((await call('POST', `/v1/keys/${sign.body.keyId}/verify`, TOKENS.acmeClient, { message: b64('hello'), signature: signed.body.signature })).body.valid).toBe(true);
    expect((await call('POST', `/v1/keys/${sign.body.keyId}/verify`, TOKENS.acmeClient, { message: b64('hellO'), signature: signed.body.signature })).body.valid).toBe(false);

    const enc = (await call('POST', '/v1/keys', TOKENS.acmeKeyAdmin, { tenantId: 'acme', name: 'enc', purpose: 'encrypt' })).body.keyId as string;
    const sealed = await call('POST', `/v1/keys/${enc}/encrypt`, TOKENS.acmeClient, { plaintext: b64('pan 4111'), context: { order: '9' } });
    const opened = await call('POST', `/v1/keys/${enc}/decrypt`, TOKENS.acmeClient, { ciphertext: sealed.body.ciphertext, context: { order: '9' } });
    expect(Buffer.from(opened.body.plaintext, 'base64').toString()).toBe('pan 4111');
    const wrong = await call('POST', `/v1/keys/${enc}/decrypt`, TOKENS.acmeClient, { ciphertext: sealed.body.ciphertext, context: { order: '1' } });
    expect(wrong).toMatchObject({ status: 400, body: { error: { code: 'INVALID_CIPHERTEXT' } } });
    const dk = await call('POST', `/v1/keys/${enc}/data-key`, TOKENS.acmeClient, { bits: 256, includePlaintext: true });
    const back = await call('POST', `/v1/keys/${enc}/decrypt`, TOKENS.acmeClient, { ciphertext: dk.body.ciphertext });
    expect(back.body.plaintext).toBe(dk.body.plaintext);
    expect(Buffer.from(dk.body.plaintext, 'base64')).toHaveLength(32);
  });

  it(`${provider}: signs inside the provider (provider-resident), by message and by digest`, async () => {
    const key = await call('POST', '/v1/keys', TOKENS.acmeKeyAdmin, { tenantId: 'acme', name: 'hsm', purpose: 'sign', mode: 'provider-resident' });
    expect(key).toMatchObject({ status: 201, body: { mode: 'provider-resident' } });
    const keyId = key.body.keyId as string;
    const pem = (await call('GET', `/v1/keys/${keyId}/public-key`, TOKENS.acmeClient)).body.pem as string;
    const byMessage = await call('POST', `/v1/keys/${keyId}/sign`, TOKENS.acmeClient, { message: b64('pay 10') });
    const digest = createHash('sha256').update('pay 10').digest();
    const byDigest = await call('POST', `/v1/keys/${keyId}/sign`, TOKENS.acmeClient, { digest: digest.toString('base64') });
    for (const signed of [byMessage, byDigest]) {
      expect(signed).toMatchObject({ status: 200, body: { keyVersion: 1, algorithm: 'ECDSA_P256_SHA256' } });
      expect(verify('sha256', Buffer.from('pay 10'), { key: createPublicKey(pem), dsaEncoding: 'der' }, Buffer.from(signed.body.signature, 'base64'))).toBe(true);
      expect((await call('POST', `/v1/keys/${keyId}/verify`, TOKENS.acmeClient, { message: b64('pay 10'), signature: signed.body.signature })).body.valid).toBe(true);
    }
  });

  it(`${provider}: provider-resident keys sign JWTs (ES256, raw r‖s), raw signatures, batches and SHA-384/512 digests`, async () => {
    const keyId = (await call('POST', '/v1/keys', TOKENS.acmeKeyAdmin, { tenantId: 'acme', name: 'hsm-jwt', purpose: 'sign', mode: 'provider-resident' })).body.keyId as string;
    const pem = (await call('GET', `/v1/keys/${keyId}/public-key`, TOKENS.acmeClient)).body.pem as string;
    const jwt = await call('POST', `/v1/keys/${keyId}/sign-jwt`, TOKENS.acmeClient, { claims: { sub: 'release' } });
    expect(jwt).toMatchObject({ status: 200, body: { algorithm: 'ES256', kid: `${keyId}.v1` } });
    const [h, p, sig] = (jwt.body.jwt as string).split('.');
    expect(verify('sha256', Buffer.from(`${h}.${p}`), { key: createPublicKey(pem), dsaEncoding: 'ieee-p1363' }, Buffer.from(sig, 'base64url'))).toBe(true);
    expect((await call('POST', `/v1/keys/${keyId}/verify-jwt`, TOKENS.acmeClient, { jwt: jwt.body.jwt })).body).toMatchObject({ valid: true, keyVersion: 1 });
    const batch = await call('POST', `/v1/keys/${keyId}/sign`, TOKENS.acmeClient, { batch: [{ message: b64('a'), marshaling: 'raw' }, { message: b64('b') }] });
    expect(batch.status).toBe(200);
    expect(Buffer.from(batch.body.results[0].signature, 'base64')).toHaveLength(64);
    expect((await call('POST', `/v1/keys/${keyId}/verify`, TOKENS.acmeClient, { message: b64('b'), signatureString: batch.body.results[1].signatureString })).body).toEqual({ valid: true, keyVersion: 1 });
    for (const [hashAlgorithm, node] of [['SHA-384', 'sha384'], ['SHA-512', 'sha512']] as const) {
      const digest = createHash(node).update('artefact').digest('base64');
      const signed = await call('POST', `/v1/keys/${keyId}/sign`, TOKENS.acmeClient, { digest, hashAlgorithm });
      expect(signed.status).toBe(200);
      expect(verify(node, Buffer.from('artefact'), { key: createPublicKey(pem), dsaEncoding: 'der' }, Buffer.from(signed.body.signature, 'base64'))).toBe(true);
      expect((await call('POST', `/v1/keys/${keyId}/verify`, TOKENS.acmeClient, { digest, hashAlgorithm, signature: signed.body.signature })).body).toEqual({ valid: true, keyVersion: 1 });
    }
  });
}

describe('API end to end with the AWS provider on the loopback KMS test server', () => {
  let server: { url: string; stop(): Promise<void> };
  let h: Harness;
  beforeAll(async () => {
    server = await startKmsTestServer(['--alias', 'alias/keyledger-master']);
    process.env['AWS_ACCESS_KEY_ID'] = 'test';
    process.env['AWS_SECRET_ACCESS_KEY'] = 'test';
    h = await startHarness({ KMS_PROVIDER: 'aws', AWS_KMS_MASTER_KEY_ID: 'alias/keyledger-master', AWS_REGION: 'us-east-1', AWS_KMS_ENDPOINT: server.url });
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    await server?.stop();
  });

  cryptoSuite('aws', () => h);

  it('aws: reports the provider in the admin status and passes validation', async () => {
    expect((await h.call('GET', '/api/admin/kms/status', TOKENS.admin)).body).toMatchObject({ provider: 'aws', provider_warning: null });
    expect((await h.call('POST', '/api/admin/kms/validate', TOKENS.admin)).body.status).toBe('PASS');
  });
});

describeWith([softhsm2], 'API end to end with the PKCS#11 provider on SoftHSM2', () => {
  let token: { dir: string };
  let h: Harness;
  beforeAll(async () => {
    token = initialiseSoftHsmToken('keyledger-api', '4321');
    h = await startHarness({
      KMS_PROVIDER: 'pkcs11',
      PKCS11_MODULE: SOFTHSM2_MODULE,
      PKCS11_TOKEN_LABEL: 'keyledger-api',
      PKCS11_PIN: '4321',
      PKCS11_MASTER_KEY_LABEL: 'keyledger-api-master',
      PKCS11_CREATE_MASTER_KEY: 'true',
    });
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    rmSync(token.dir, { recursive: true, force: true });
  });

  cryptoSuite('pkcs11', () => h);
});
