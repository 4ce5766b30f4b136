import { TOKENS, b64, startHarness, type Harness } from './support/api-harness';

// Batch input on encrypt, decrypt, rewrap, sign, verify and data-key: per-item results in input
// order, the partial-failure status, the first bad index, item-counted rate limits and metrics.
let h: Harness;
let signKey: string;
let encKey: string;

beforeAll(async () => {
  h = await startHarness();
  signKey = (await h.call('POST', '/v1/keys', TOKENS.acmeKeyAdmin, { tenantId: 'acme', name: 's', purpose: 'sign' })).body.keyId;
  encKey = (await h.call('POST', '/v1/keys', TOKENS.acmeKeyAdmin, { tenantId: 'acme', name: 'e', purpose: 'encrypt' })).body.keyId;
});
afterAll(() => h.close());

const post = (keyId: string, action: string, body: unknown, token: string = TOKENS.acmeClient) => h.call('POST', `/v1/keys/${keyId}/${action}`, token, body);

describe('batches over HTTP', () => {
  it('signs and verifies a batch in input order with references echoed', async () => {
    const signed = await post(signKey, 'sign', { batch: [{ message: b64('a'), reference: 'first' }, { message: b64('b') }, { message: b64('c'), marshaling: 'raw', reference: 'third' }] });
    expect(signed.status).toBe(200);
    expect(signed.body.results.map((r: { reference?: string; keyVersion: number }) => [r.reference, r.keyVersion])).toEqual([['first', 1], [undefined, 1], ['third', 1]]);
    const verified = await post(signKey, 'verify', {
      batch: [
        { message: b64('a'), signature: signed.body.results[0].signature, reference: 'r0' },
        { message: b64('b'), signatureString: signed.body.results[1].signatureString },
        { message: b64('c'), signature: signed.body.results[2].signature, marshaling: 'raw', keyVersion: 1 },
        { message: b64('a'), signature: signed.body.results[1].signature },
      ],
    });
    expect(verified).toMatchObject({ status: 200, body: { results: [{ reference: 'r0', valid: true, keyVersion: 1 }, { valid: true, keyVersion: 1 }, { valid: true, keyVersion: 1 }, { valid: false }] } });
  });

  it('isolates a failing item: the others are answered, the status is the partial-failure status, and no item carries another item\'s data', async () => {
    const sealed = await post(encKey, 'encrypt', { batch: [{ plaintext: b64('card 4111 1111'), context: { order: '1' } }, { plaintext: b64('card 5500 0000'), context: { order: '2' } }] });
    expect(sealed.status).toBe(200);
    const [c1, c2] = sealed.body.results.map((r: { ciphertext: string }) => r.ciphertext);
    const opened = await post(encKey, 'decrypt', { batch: [{ ciphertext: c1, context: { order: '1' }, reference: 'ok' }, { ciphertext: c2, context: { order: '1' }, reference: 'wrong-context' }, { ciphertext: 'kl1.x.y.z.w' }] });
    expect(opened.status).toBe(400);
    expect(opened.body.results[0]).toEqual({ reference: 'ok', plaintext: b64('card 4111 1111'), keyVersion: 1 });
    expect(opened.body.results[1]).toMatchObject({ reference: 'wrong-context', error: { code: 'INVALID_CIPHERTEXT' } });
    expect(opened.body.results[2]).toMatchObject({ error: { code: 'INVALID_CIPHERTEXT' } });
    const failures = JSON.stringify(opened.body.results.slice(1));
    expect(failures).not.toContain(b64('card 4111 1111'));
    expect(failures).not.toContain('4111');
    expect(failures).not.toContain(c1);
  });

  it('answers the partial-failure status on the native Fastify route too (a request the fast path leaves to Fastify)', async () => {
    const body = JSON.stringify({ batch: [{ plaintext: b64('x'), context: { a: 'b' } }, { plaintext: b64('y'), context: { a: 'b' } }] });
    const sealed = await h.call('POST', `/v1/keys/${encKey}/encrypt`, TOKENS.acmeClient, body, { 'content-type': 'application/json;charset=utf-8' });
    expect(sealed.status).toBe(200);
    const [ok] = sealed.body.results.map((r: { ciphertext: string }) => r.ciphertext);
    const opened = await h.call('POST', `/v1/keys/${encKey}/decrypt`, TOKENS.acmeClient, JSON.stringify({ batch: [{ ciphertext: ok, context: { a: 'b' } }, { ciphertext: ok }] }), { 'content-type': 'application/json;charset=utf-8' });
    expect(opened).toMatchObject({ status: 400, body: { results: [{ plaintext: b64('x') }, { error: { code: 'INVALID_CIPHERTEXT' } }] } });
  });

  it('rewraps and makes data keys in batches (the routes served by Nest)', async () => {
    const sealed = (await post(encKey, 'encrypt', { plaintext: b64('p'), context: { a: 'b' } })).body.ciphertext;
    await h.call('POST', `/v1/keys/${encKey}/rotate`, TOKENS.acmeKeyAdmin);
    const rewrapped = await post(encKey, 'rewrap', { batch: [{ ciphertext: sealed, context: { a: 'b' } }, { ciphertext: sealed }] });
    expect(rewrapped).toMatchObject({ status: 400, body: { results: [{ keyVersion: 2 }, { error: { code: 'INVALID_CIPHERTEXT' } }] } });
    const dks = await post(encKey, 'data-key', { batch: [{ bits: 128 }, { bits: 256, includePlaintext: false, reference: 'sealed-only' }] });
    expect(dks.status).toBe(200);
    expect(Buffer.from(dks.body.results[0].plaintext, 'base64')).toHaveLength(16);
    expect(dks.body.results[1]).not.toHaveProperty('plaintext');
    expect(dks.body.results[1].reference).toBe('sealed-only');
  });

  it('answers a malformed batch with 400 naming the first bad index, never echoing input', async () => {
    const notArray = await post(signKey, 'sign', { batch: 'x' });
    expect(notArray).toMatchObject({ status: 400, body: { error: { code: 'REQUEST_INVALID', message: expect.stringContaining('array') } } });
    const bad = await post(signKey, 'sign', { batch: [{ message: b64('a') }, { message: b64('b') }, { message: 'secret-value!' }, 7] });
    expect(bad).toMatchObject({ status: 400, body: { error: { code: 'REQUEST_INVALID', message: expect.stringContaining('batch[2].message') } } });
    expect(bad.body.error.message).not.toContain('secret-value');
    expect((await post(signKey, 'sign', { batch: [{ message: b64('a') }, 7] })).body.error.message).toContain('batch[1]');
    expect((await post(signKey, 'sign', { batch: [{ message: b64('a'), colour: 'red' }] })).body.error.message).toContain('batch[0]: unknown field(s): colour');
    expect((await post(signKey, 'sign', { batch: [{ message: b64('a'), reference: 'r'.repeat(129) }] })).body.error.message).toContain('batch[0].reference');
    expect((await post(signKey, 'sign', { batch: [], message: b64('a') })).status).toBe(400);
    expect((await post(signKey, 'sign', { batch: [] })).status).toBe(400);
    expect((await post(signKey, 'sign', { batch: Array.from({ length: 1001 }, () => ({ message: b64('a') })) })).body.error.message).toContain('at most 1000');
  });

  it('refuses the whole batch for a key out of reach or of the wrong purpose', async () => {
    expect(await post(signKey, 'sign', { batch: [{ message: b64('a') }] }, TOKENS.globexClient)).toMatchObject({ status: 404, body: { error: { code: 'KEY_NOT_FOUND' } } });
    expect((await post(encKey, 'sign', { batch: [{ message: b64('a') }] })).status).toBe(400);
  });

  it('counts batch items in kms_operations_total', async () => {
    const count = async () => Number(/^kms_operations_total\{operation="encrypt",outcome="success"\} (\d+)$/m.exec(await (await fetch(`${h.base}/metrics`)).text())?.[1] ?? 0);
    const before = await count();
    await post(encKey, 'encrypt', { batch: Array.from({ length: 7 }, (_, i) => ({ plaintext: b64(`item ${i}`) })) });
    expect((await count()) - before).toBe(7);
  });
});

describe('batch settings', () => {
  let s: Harness;
  beforeAll(async () => {
    s = await startHarness({ API_BATCH_MAX_ITEMS: '4', BATCH_PARTIAL_FAILURE_STATUS: '200', RATE_LIMIT_TENANT_RPS: '1', RATE_LIMIT_TENANT_BURST: '3' }, { cryptoThroughNest: true });
  });
  afterAll(() => s.close());

  it('applies API_BATCH_MAX_ITEMS, BATCH_PARTIAL_FAILURE_STATUS and counts items against the rate limit (through Nest\'s router)', async () => {
    // The bucket holds 3 tokens; creating the key takes one.
    const key = (await s.call('POST', '/v1/keys', TOKENS.acmeKeyAdmin, { tenantId: 'acme', name: 's', purpose: 'sign' })).body.keyId;
    const items = (n: number) => Array.from({ length: n }, () => ({ message: b64('a'), signature: b64('sig') }));
    expect(await s.call('POST', `/v1/keys/${key}/verify`, TOKENS.acmeClient, { batch: items(5) })).toMatchObject({ status: 400, body: { error: { message: expect.stringContaining('at most 4') } } });
    expect(await s.call('POST', `/v1/keys/${key}/verify`, TOKENS.acmeClient, { batch: items(4) })).toMatchObject({ status: 400, body: { error: { message: expect.stringContaining('burst of 3') } } });
    const partial = await s.call('POST', `/v1/keys/${key}/verify`, TOKENS.acmeClient, { batch: [{ message: b64('a'), signature: b64('sig') }, { message: b64('a'), signature: b64('sig'), kid: 'another-key.v1' }] });
    expect(partial).toMatchObject({ status: 200, body: { results: [{ valid: false }, { error: { code: 'INVALID_SIGNATURE_INPUT' } }] } });
    // Two tokens went to the two items: two more items are over the limit.
    expect(await s.call('POST', `/v1/keys/${key}/verify`, TOKENS.acmeClient, { batch: items(2) })).toMatchObject({ status: 429, body: { error: { code: 'RATE_LIMITED' } } });
  });
});
