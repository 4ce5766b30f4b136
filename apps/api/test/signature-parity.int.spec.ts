import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { p256 } from '@noble/curves/p256';
import { describeWith, openssl } from '@keyledger/testing';
import { TOKENS, b64, startHarness, type Harness } from './support/api-harness';

// Verification after rotation, signature strings, JWS/JWT (checked with jose against the JWKS alone
// and with the openssl CLI against the PEM), marshaling and prehashed input, over HTTP.
type Jose = typeof import('jose');
let jose: Jose;
let h: Harness;
const keys: Record<'ec' | 'ed' | 'rsa', string> = { ec: '', ed: '', rsa: '' };

beforeAll(async () => {
  jose = await import('jose');
  h = await startHarness();
  const create = async (name: string, algorithm: string) => (await h.call('POST', '/v1/keys', TOKENS.acmeKeyAdmin, { tenantId: 'acme', name, purpose: 'sign', algorithm })).body.keyId as string;
  keys.ec = await create('ec', 'ECDSA_P256_SHA256');
  keys.ed = await create('ed', 'ED25519');
  keys.rsa = await create('rsa', 'RSA_PSS_2048_SHA256');
});
afterAll(() => h.close());

const sign = (keyId: string, body: object) => h.call('POST', `/v1/keys/${keyId}/sign`, TOKENS.acmeClient, body);
const verify = (keyId: string, body: object) => h.call('POST', `/v1/keys/${keyId}/verify`, TOKENS.acmeClient, body);

describe('verification after rotation', () => {
  it('verifies a v1 signature after rotations without keyVersion, by kid, and from its signature string alone', async () => {
    const v1 = await sign(keys.ec, { message: b64('image digest sha256:abc') });
    expect(v1.body).toMatchObject({ keyVersion: 1, signatureString: `kl1sig.${keys.ec}.v1.${Buffer.from(v1.body.signature, 'base64').toString('base64url')}` });
    for (let i = 0; i < 4; i++) expect((await h.call('POST', `/v1/keys/${keys.ec}/rotate`, TOKENS.acmeKeyAdmin)).status).toBe(200);
    expect((await verify(keys.ec, { message: b64('image digest sha256:abc'), signature: v1.body.signature })).body).toEqual({ valid: true, keyVersion: 1 });
    expect((await verify(keys.ec, { message: b64('image digest sha256:abd'), signature: v1.body.signature })).body).toEqual({ valid: false });
    expect((await verify(keys.ec, { message: b64('image digest sha256:abc'), signature: v1.body.signature, kid: v1.body.kid })).body).toEqual({ valid: true, keyVersion: 1 });
    expect((await verify(keys.ec, { message: b64('image digest sha256:abc'), signatureString: v1.body.signatureString })).body).toEqual({ valid: true, keyVersion: 1 });
    const both = await verify(keys.ec, { message: b64('x'), signatureString: v1.body.signatureString, keyVersion: 1 });
    expect(both).toMatchObject({ status: 400, body: { error: { code: 'REQUEST_INVALID' } } });
    const foreign = await verify(keys.ed, { message: b64('x'), signatureString: v1.body.signatureString });
    expect(foreign).toMatchObject({ status: 400, body: { error: { code: 'INVALID_SIGNATURE_INPUT' } } });
  });
});

describe('marshaling and prehashed input', () => {
  it('answers a raw r‖s ECDSA signature and verifies it as raw', async () => {
    const raw = await sign(keys.ec, { message: b64('m'), marshaling: 'raw' });
    expect(Buffer.from(raw.body.signature, 'base64')).toHaveLength(64);
    expect((await verify(keys.ec, { message: b64('m'), signature: raw.body.signature, marshaling: 'raw' })).body.valid).toBe(true);
    expect((await sign(keys.ec, { message: b64('m'), marshaling: 'p1363' })).status).toBe(400);
  });

  it('signs SHA-384 digests with RSA-PSS keys; Ed25519 keeps its clear 400; a digest of the wrong length is named', async () => {
    const digest = createHash('sha384').update('artefact').digest('base64');
    const signed = await sign(keys.rsa, { digest, hashAlgorithm: 'SHA-384' });
    expect(signed.status).toBe(200);
    expect((await verify(keys.rsa, { digest, hashAlgorithm: 'SHA-384', signature: signed.body.signature })).body).toEqual({ valid: true, keyVersion: 1 });
    expect(await sign(keys.ed, { digest: createHash('sha256').update('a').digest('base64') })).toMatchObject({ status: 400, body: { error: { code: 'DIGEST_NOT_SUPPORTED' } } });
    const short = await sign(keys.rsa, { digest: createHash('sha256').update('a').digest('base64'), hashAlgorithm: 'SHA-384' });
    expect(short).toMatchObject({ status: 400, body: { error: { code: 'REQUEST_INVALID', message: expect.stringContaining('SHA-384: 48') } } });
  });
});

describe('JWS / JWT', () => {
  it.each([
    ['ec', 'ES256'],
    ['ed', 'EdDSA'],
    ['rsa', 'PS256'],
  ] as const)('signs a JWT with a %s key that jose verifies against the tenant JWKS alone (%s)', async (which, alg) => {
    const signed = await h.call('POST', `/v1/keys/${keys[which]}/sign-jwt`, TOKENS.acmeClient, { claims: { sub: 'deploy-bot', exp: Math.floor(Date.now() / 1000) + 300 }, header: { typ: 'JWT' } });
    expect(signed).toMatchObject({ status: 200, body: { algorithm: alg, kid: expect.stringMatching(new RegExp(`^${keys[which]}\\.v\\d+$`)) } });
    const jwks = (await h.call('GET', '/v1/tenants/acme/jwks.json', TOKENS.acmeClient)).body;
    const { payload, protectedHeader } = await jose.jwtVerify(signed.body.jwt, jose.createLocalJWKSet(jwks), { algorithms: [alg] });
    expect(protectedHeader).toEqual({ alg, kid: signed.body.kid, typ: 'JWT' });
    expect(payload).toMatchObject({ sub: 'deploy-bot', iat: expect.any(Number) });
    const checked = await h.call('POST', `/v1/keys/${keys[which]}/verify-jwt`, TOKENS.acmeClient, { jwt: signed.body.jwt });
    expect(checked.body).toMatchObject({ valid: true, kid: signed.body.kid, keyVersion: signed.body.keyVersion, claims: { sub: 'deploy-bot' } });
  });

  it('refuses an expired token, a token of another key, a header field other than typ/cty, and an unreadable token', async () => {
    const expired = await h.call('POST', `/v1/keys/${keys.ed}/sign-jwt`, TOKENS.acmeClient, { claims: { exp: Math.floor(Date.now() / 1000) - 3600 } });
    expect((await h.call('POST', `/v1/keys/${keys.ed}/verify-jwt`, TOKENS.acmeClient, { jwt: expired.body.jwt })).body).toMatchObject({ valid: false, reason: 'expired' });
    expect((await h.call('POST', `/v1/keys/${keys.ec}/verify-jwt`, TOKENS.acmeClient, { jwt: expired.body.jwt })).body).toEqual({ valid: false, reason: 'kid' });
    const extra = await h.call('POST', `/v1/keys/${keys.ed}/sign-jwt`, TOKENS.acmeClient, { claims: {}, header: { alg: 'none' } });
    expect(extra).toMatchObject({ status: 400, body: { error: { code: 'REQUEST_INVALID' } } });
    expect(await h.call('POST', `/v1/keys/${keys.ed}/verify-jwt`, TOKENS.acmeClient, { jwt: 'not.a.jwt!' })).toMatchObject({ status: 400, body: { error: { code: 'INVALID_JWT' } } });
    expect((await h.call('POST', `/v1/keys/${keys.ed}/sign-jwt`, TOKENS.globexClient, { claims: {} })).status).toBe(404);
  });
});

describeWith([openssl], 'openssl verifies keyledger JWTs from the PEM', () => {
  it.each(['ec', 'ed', 'rsa'] as const)('verifies the %s JWT signature over header.payload', async (which) => {
    const signed = (await h.call('POST', `/v1/keys/${keys[which]}/sign-jwt`, TOKENS.acmeClient, { claims: { sub: 'ci' } })).body;
    const pem = (await h.call('GET', `/v1/keys/${keys[which]}/public-key?version=${signed.keyVersion}`, TOKENS.acmeClient)).body.pem as string;
    const [head, payload, sig] = (signed.jwt as string).split('.');
    const files = { pem: join(h.dataDir, `${which}.pem`), input: join(h.dataDir, `${which}.jws`), sig: join(h.dataDir, `${which}.sig`) };
    writeFileSync(files.pem, pem);
    writeFileSync(files.input, `${head}.${payload}`);
    const raw = Buffer.from(sig, 'base64url');
    // JWS carries ECDSA as r‖s; openssl reads DER.
    writeFileSync(files.sig, which === 'ec' ? Buffer.from(p256.Signature.fromCompact(raw).toDERRawBytes()) : raw);
    const args =
      which === 'ed'
        ? ['pkeyutl', '-verify', '-pubin', '-inkey', files.pem, '-rawin', '-in', files.input, '-sigfile', files.sig]
        : ['dgst', '-sha256', ...(which === 'rsa' ? ['-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:32'] : []), '-verify', files.pem, '-signature', files.sig, files.input];
    expect(execFileSync('openssl', args, { encoding: 'utf8' })).toMatch(/Verified OK|Signature Verified Successfully/);
    writeFileSync(files.input, `${head}.${payload}x`);
    expect(() => execFileSync('openssl', args, { stdio: 'pipe' })).toThrow();
  });
});

describe('OpenAPI', () => {
  it('documents the JWT routes and the batch forms with request and response schemas', async () => {
    const doc = (await h.call('GET', '/docs-json', null)).body;
    for (const path of ['/v1/keys/{keyId}/sign-jwt', '/v1/keys/{keyId}/verify-jwt', '/v1/keys/{keyId}/sign', '/v1/keys/{keyId}/encrypt']) {
      const op = doc.paths[path].post;
      expect({ path, request: Boolean(op.requestBody?.content?.['application/json']?.schema), response: Boolean(op.responses?.['200']?.content?.['application/json']?.schema) }).toEqual({ path, request: true, response: true });
    }
    expect(JSON.stringify(doc.paths['/v1/keys/{keyId}/sign'].post.requestBody)).toContain('batch');
    expect(JSON.stringify(doc.paths['/v1/keys/{keyId}/verify'].post.requestBody)).toContain('signatureString');
  });
});
