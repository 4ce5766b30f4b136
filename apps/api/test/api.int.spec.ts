import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeWith, openssl } from '@keyledger/testing';
import { TOKENS, b64, startHarness, type Harness } from './support/api-harness';

let h: Harness;
let signKey: string;
let encKey: string;

beforeAll(async () => {
  h = await startHarness();
  const created = await h.call('POST', '/v1/keys', TOKENS.acmeKeyAdmin, { tenantId: 'acme', name: 'payments', purpose: 'sign' });
  expect(created.status).toBe(201);
  expect(created.headers.get('etag')).toBe('"0"');
  signKey = created.body.keyId;
  encKey = (await h.call('POST', '/v1/keys', TOKENS.acmeKeyAdmin, { tenantId: 'acme', name: 'vault', purpose: 'encrypt' })).body.keyId;
});
afterAll(() => h.close());

describe('metrics on a fresh API', () => {
  it('exports every breaker as closed before any provider call fails', async () => {
    const text = await (await fetch(`${h.base}/metrics`)).text();
    for (const name of ['kms-signing-key', 'kms-public-key', 'kms-encryption-key']) {
      expect(text).toMatch(new RegExp(`^circuit_breaker_state\\{name="${name}"\\} 0$`, 'm'));
    }
  });
});

describe('keys over HTTP', () => {
  it('shows, lists and changes keys with ETag / If-Match', async () => {
    const got = await h.call('GET', `/v1/keys/${signKey}`, TOKENS.acmeClient);
    expect(got).toMatchObject({ status: 200, body: { keyId: signKey, name: 'payments', status: 'Enabled', algorithm: 'ECDSA_P256_SHA256' } });
    const list = await h.call('GET', '/v1/keys?tenantId=acme', TOKENS.acmeClient);
    expect(list.body.keys.map((k: { keyId: string }) => k.keyId).sort()).toEqual([signKey, encKey].sort());
    const patched = await h.call('PATCH', `/v1/keys/${encKey}`, TOKENS.acmeKeyAdmin, { rotationPeriodDays: 30 }, { 'if-match': '"0"' });
    expect(patched).toMatchObject({ status: 200, body: { rotationPeriodDays: 30 } });
    expect(patched.headers.get('etag')).toBe('"1"');
    const stale = await h.call('PATCH', `/v1/keys/${encKey}`, TOKENS.acmeKeyAdmin, { rotationPeriodDays: 40 }, { 'if-match': '"0"' });
    expect(stale).toMatchObject({ status: 412, body: { error: { code: 'PRECONDITION_FAILED' } } });
    expect(typeof stale.body.error.requestId).toBe('string');
  });

  it('walks disable/enable/schedule/cancel deletion and refuses a window outside 7..30', async () => {
    const k = (await h.call('POST', '/v1/keys', TOKENS.acmeKeyAdmin, { tenantId: 'acme', name: 'tmp', purpose: 'sign' })).body.keyId;
    expect((await h.call('POST', `/v1/keys/${k}/disable`, TOKENS.acmeKeyAdmin)).body.status).toBe('Disabled');
    expect(await h.call('POST', `/v1/keys/${k}/sign`, TOKENS.acmeClient, { message: b64('x') })).toMatchObject({ status: 409, body: { error: { code: 'KEY_DISABLED' } } });
    expect((await h.call('POST', `/v1/keys/${k}/enable`, TOKENS.acmeKeyAdmin, {})).body.status).toBe('Enabled');
    expect((await h.call('POST', `/v1/keys/${k}/schedule-deletion`, TOKENS.acmeKeyAdmin, { pendingWindowDays: 31 })).status).toBe(400);
    expect((await h.call('POST', `/v1/keys/${k}/schedule-deletion`, TOKENS.acmeKeyAdmin, { pendingWindowDays: 7 })).body.status).toBe('PendingDeletion');
    expect((await h.call('POST', `/v1/keys/${k}/cancel-deletion`, TOKENS.acmeKeyAdmin)).body.status).toBe('Disabled');
  });

  it('isolates tenants (404, not 403), needs a token (401) and the right role (403)', async () => {
    expect(await h.call('GET', `/v1/keys/${signKey}`, TOKENS.globexClient)).toMatchObject({ status: 404, body: { error: { code: 'KEY_NOT_FOUND' } } });
    expect((await h.call('POST', `/v1/keys/${signKey}/sign`, TOKENS.globexClient, { message: b64('x') })).status).toBe(404);
    expect((await h.call('GET', '/v1/keys?tenantId=acme', TOKENS.globexClient)).status).toBe(404);
    expect(await h.call('GET', `/v1/keys/${signKey}`, null)).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHENTICATED' } } });
    expect((await h.call('GET', `/v1/keys/${signKey}`, 'tok-wrong-wrong-wrong-wrong')).status).toBe(401);
    expect(await h.call('POST', `/v1/keys/${signKey}/rotate`, TOKENS.acmeClient)).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
    expect((await h.call('GET', '/api/admin/kms/status', TOKENS.acmeKeyAdmin)).status).toBe(403);
  });

  it('refuses bad input with 400 and an actionable message', async () => {
    const unknown = await h.call('POST', '/v1/keys', TOKENS.acmeKeyAdmin, { tenantId: 'acme', name: 'x', purpose: 'sign', colour: 'red' });
    expect(unknown).toMatchObject({ status: 400, body: { error: { code: 'REQUEST_INVALID' } } });
    expect(unknown.body.error.message).toContain('colour');
    expect((await h.call('POST', `/v1/keys/${signKey}/sign`, TOKENS.acmeClient, { message: 'not base64!' })).status).toBe(400);
    expect((await h.call('POST', `/v1/keys/${signKey}/sign`, TOKENS.acmeClient, { digest: b64('short') })).status).toBe(400);
    const ed = (await h.call('POST', '/v1/keys', TOKENS.globexClient, { tenantId: 'globex', name: 'ed', purpose: 'sign', algorithm: 'ED25519' })).body.keyId;
    const edDigest = await h.call('POST', `/v1/keys/${ed}/sign`, TOKENS.globexClient, { digest: Buffer.alloc(32, 7).toString('base64') });
    expect(edDigest).toMatchObject({ status: 400, body: { error: { code: 'DIGEST_NOT_SUPPORTED', message: expect.stringContaining('ECDSA_P256_SHA256') } } });
    expect((await h.call('POST', `/v1/keys/${signKey}/sign`, TOKENS.acmeClient, '{"message":')).status).toBe(400);
    expect((await h.call('GET', '/v1/keys/bad%20id', TOKENS.acmeClient)).status).toBe(400);
    expect((await h.call('POST', '/v1/keys', TOKENS.acmeKeyAdmin, { tenantId: 'acme', name: 'x', purpose: 'encrypt', algorithm: 'ED25519' })).body.error.code).toBe('VALIDATION_FAILED');
  });
});

describe('signing and encryption over HTTP', () => {
  it('signs and verifies; a changed message does not verify', async () => {
    const signed = await h.call('POST', `/v1/keys/${signKey}/sign`, TOKENS.acmeClient, { message: b64('hello') });
    expect(signed).toMatchObject({ status: 200, body: { keyVersion: 1, kid: `${signKey}.v1`, algorithm: 'ECDSA_P256_SHA256' } });
    const ok = await h.call('POST', `/v1/keys/${signKey}/verify`, TOKENS.acmeClient, { message: b64('hello'), signature: signed.body.signature });
    expect(ok.body).toEqual({ valid: true, keyVersion: 1 });
    const bad = await h.call('POST', `/v1/keys/${signKey}/verify`, TOKENS.acmeClient, { message: b64('hellO'), signature: signed.body.signature });
    expect(bad.body.valid).toBe(false);
    const digest = createHash('sha256').update('hello').digest('base64');
    const byDigest = await h.call('POST', `/v1/keys/${signKey}/sign`, TOKENS.acmeClient, { digest });
    expect(byDigest.status).toBe(200);
    expect((await h.call('POST', `/v1/keys/${signKey}/verify`, TOKENS.acmeClient, { digest, signature: byDigest.body.signature })).body.valid).toBe(true);
    expect((await h.call('POST', `/v1/keys/${signKey}/verify`, TOKENS.acmeClient, { message: b64('hello'), signature: byDigest.body.signature })).body.valid).toBe(true);
  });

  it('encrypts and decrypts with a bound context; a mismatch is 400 INVALID_CIPHERTEXT; rewrap and data keys work', async () => {
    const enc = await h.call('POST', `/v1/keys/${encKey}/encrypt`, TOKENS.acmeClient, { plaintext: b64('card 4111'), context: { order: '7' } });
    expect(enc.body.ciphertext).toMatch(/^kl1\./);
    const dec = await h.call('POST', `/v1/keys/${encKey}/decrypt`, TOKENS.acmeClient, { ciphertext: enc.body.ciphertext, context: { order: '7' } });
    expect(Buffer.from(dec.body.plaintext, 'base64').toString()).toBe('card 4111');
    const wrong = await h.call('POST', `/v1/keys/${encKey}/decrypt`, TOKENS.acmeClient, { ciphertext: enc.body.ciphertext, context: { order: '8' } });
    expect(wrong).toMatchObject({ status: 400, body: { error: { code: 'INVALID_CIPHERTEXT' } } });
    const rewrapped = await h.call('POST', `/v1/keys/${encKey}/rewrap`, TOKENS.acmeClient, { ciphertext: enc.body.ciphertext, context: { order: '7' } });
    expect(rewrapped.body).not.toHaveProperty('plaintext');
    const dk = await h.call('POST', `/v1/keys/${encKey}/data-key`, TOKENS.acmeClient, { bits: 128, includePlaintext: true });
    expect(Buffer.from(dk.body.plaintext, 'base64')).toHaveLength(16);
    expect((await h.call('POST', `/v1/keys/${encKey}/data-key`, TOKENS.acmeClient, { bits: 512 })).status).toBe(400);
  });

  it('serves the public key as PEM and JWK and the tenant JWKS', async () => {
    const pk = await h.call('GET', `/v1/keys/${signKey}/public-key?version=1`, TOKENS.acmeClient);
    expect(pk.body.pem).toContain('BEGIN PUBLIC KEY');
    expect(pk.body.jwk).toMatchObject({ kty: 'EC', crv: 'P-256', kid: `${signKey}.v1`, alg: 'ES256' });
    const jwks = await h.call('GET', '/v1/tenants/acme/jwks.json', TOKENS.acmeClient);
    expect(jwks.body.keys.map((k: { kid: string }) => k.kid)).toContain(`${signKey}.v1`);
  });

  it('serves the OpenAPI UI at /docs without a token', async () => {
    expect((await h.call('GET', '/docs', null)).status).toBe(200);
  });
});

describeWith([openssl], 'openssl verifies an API signature against the API PEM', () => {
  it('verifies', async () => {
    const message = 'settle batch 42';
    const signed = await h.call('POST', `/v1/keys/${signKey}/sign`, TOKENS.acmeClient, { message: b64(message) });
    const pk = await h.call('GET', `/v1/keys/${signKey}/public-key`, TOKENS.acmeClient);
    const files = { pem: join(h.dataDir, 'pub.pem'), msg: join(h.dataDir, 'msg.bin'), sig: join(h.dataDir, 'sig.der') };
    writeFileSync(files.pem, pk.body.pem);
    writeFileSync(files.msg, message);
    writeFileSync(files.sig, Buffer.from(signed.body.signature, 'base64'));
    const out = execFileSync('openssl', ['dgst', '-sha256', '-verify', files.pem, '-signature', files.sig, files.msg]).toString();
    expect(out.trim()).toBe('Verified OK');
    writeFileSync(files.msg, `${message}!`);
    expect(() => execFileSync('openssl', ['dgst', '-sha256', '-verify', files.pem, '-signature', files.sig, files.msg], { stdio: 'pipe' })).toThrow();
  });
});

describe('admin and cache over HTTP', () => {
  it('reports status, validates with PASS per step and tests key retrieval with cache hits', async () => {
    const status = await h.call('GET', '/api/admin/kms/status', TOKENS.admin);
    expect(status.body).toMatchObject({ provider: 'local', provider_warning: expect.stringContaining('NOT FOR PRODUCTION'), signing_freeze: { frozen: false } });
    expect(status.body.breakers).toHaveLength(3);
    const validate = await h.call('POST', '/api/admin/kms/validate', TOKENS.admin);
    expect(validate.body).toMatchObject({ status: 'PASS', tests: { generate_data_key: { status: 'PASS' }, verify: { status: 'PASS' } } });
    const first = await h.call('POST', '/api/admin/kms/test-key-retrieval', TOKENS.admin, { tenantId: 'acme' });
    expect(first.body).toMatchObject({ status: 'success', keyId: signKey });
    const again = await h.call('POST', '/api/admin/kms/test-key-retrieval', TOKENS.admin, { tenantId: 'acme' });
    expect(again.body.cache_hit).toBe(true);
    expect((await h.call('POST', '/api/admin/kms/test-key-retrieval', TOKENS.admin, { tenantId: 'nobody' })).status).toBe(404);
  });

  it('keeps an admin token scoped to one tenant out of the platform-wide operations and other tenants', async () => {
    const platform: [string, string, unknown?][] = [
      ['GET', '/api/admin/kms/status'],
      ['POST', '/api/admin/kms/validate', {}],
      ['POST', '/api/admin/kms/rotate-all-keys', {}],
      ['GET', '/api/admin/kms/jobs/rotation-job-1'],
      ['POST', '/api/admin/signing/freeze', { reason: 'scoped admin' }],
      ['POST', '/api/admin/signing/resume', {}],
    ];
    for (const [method, path, body] of platform) {
      const refused = await h.call(method, path, TOKENS.acmeAdmin, body);
      expect({ path, status: refused.status, code: refused.body.error?.code }).toEqual({ path, status: 403, code: 'FORBIDDEN' });
      expect(refused.body.error.message).toContain('token for all tenants');
    }
    expect((await h.call('GET', '/api/admin/kms/status', TOKENS.admin)).body.signing_freeze.frozen).toBe(false);
    const own = await h.call('POST', '/api/admin/kms/test-key-retrieval', TOKENS.acmeAdmin, { tenantId: 'acme' });
    expect(own.body).toMatchObject({ status: 'success', tenantId: 'acme' });
    await h.call('POST', '/v1/keys', TOKENS.globexClient, { tenantId: 'globex', name: 'globex-signer', purpose: 'sign' });
    const foreign = await h.call('POST', '/api/admin/kms/test-key-retrieval', TOKENS.acmeAdmin, { tenantId: 'globex' });
    expect(foreign).toMatchObject({ status: 404, body: { error: { code: 'KEY_NOT_FOUND' } } });
    expect((await h.call('POST', '/api/admin/kms/test-key-retrieval', TOKENS.admin, { tenantId: 'globex' })).status).toBe(200);
  });

  it('freezes signing with a reason (503 SIGNING_FROZEN) and resumes', async () => {
    expect((await h.call('POST', '/api/admin/signing/freeze', TOKENS.admin, { reason: 'KMS outage drill' })).body.frozen).toBe(true);
    const refused = await h.call('POST', `/v1/keys/${signKey}/sign`, TOKENS.acmeClient, { message: b64('x') });
    expect(refused).toMatchObject({ status: 503, body: { error: { code: 'SIGNING_FROZEN' } } });
    expect(refused.body.error.message).toContain('KMS outage drill');
    expect((await h.call('POST', '/api/admin/signing/resume', TOKENS.admin)).body.frozen).toBe(false);
    expect((await h.call('POST', `/v1/keys/${signKey}/sign`, TOKENS.acmeClient, { message: b64('x') })).status).toBe(200);
  });

  it('invalidates the cache on rotation: the next signature uses the new version and old ones still verify', async () => {
    const old = await h.call('POST', `/v1/keys/${signKey}/sign`, TOKENS.acmeClient, { message: b64('m') });
    const rotated = await h.call('POST', `/v1/keys/${signKey}/rotate`, TOKENS.acmeKeyAdmin);
    expect(rotated.body.primaryVersion).toBe(2);
    const signed = await h.call('POST', `/v1/keys/${signKey}/sign`, TOKENS.acmeClient, { message: b64('m') });
    expect(signed.body.keyVersion).toBe(2);
    const verified = await h.call('POST', `/v1/keys/${signKey}/verify`, TOKENS.acmeClient, { message: b64('m'), signature: old.body.signature, keyVersion: 1 });
    expect(verified.body.valid).toBe(true);
    const all = await h.call('POST', '/api/admin/kms/rotate-all-keys', TOKENS.admin);
    expect(all).toMatchObject({ status: 202, body: { status: 'running' } });
    expect(all.headers.get('location')).toBe(`/api/admin/kms/jobs/${all.body.jobId}`);
    let job = all;
    while (job.body.status !== 'completed') {
      await new Promise((resolve) => setTimeout(resolve, 20));
      job = await h.call('GET', `/api/admin/kms/jobs/${all.body.jobId}`, TOKENS.admin);
    }
    expect(job.body).toMatchObject({ failed: 0, remaining: 0 });
    expect(job.body.rotated).toBe(job.body.total);
  });
});
