import { Writable } from 'node:stream';
import { b64, startHarness, TOKENS, type Harness } from './support/api-harness';

/**
 * sign, verify, encrypt and decrypt are answered by a node:http fast path (canonical requests) or a
 * native Fastify handler (the rest) in the running API, and by Nest's router when
 * `cryptoThroughNest` is set. The same requests must get the same answers from both APIs.
 */

interface Keys {
  readonly sign: string;
  readonly enc: string;
}

interface Case {
  readonly name: string;
  readonly path: (k: Keys) => string;
  readonly token: string | null;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

const msg = b64('hello');
const digest = b64(Buffer.alloc(32, 7));

const CASES: readonly Case[] = [
  { name: 'no token', path: (k) => `/v1/keys/${k.sign}/sign`, token: null, body: { message: msg } },
  { name: 'unknown token', path: (k) => `/v1/keys/${k.sign}/sign`, token: 'tok-not-a-token-00000000', body: { message: msg } },
  { name: 'not a bearer header', path: (k) => `/v1/keys/${k.sign}/sign`, token: null, body: { message: msg }, headers: { authorization: `Basic ${TOKENS.acmeClient}` } },
  { name: 'role missing', path: (k) => `/v1/keys/${k.sign}/sign`, token: TOKENS.acmeKeyAdmin, body: { message: msg } },
  { name: 'foreign tenant sign', path: (k) => `/v1/keys/${k.sign}/sign`, token: TOKENS.globexClient, body: { message: msg } },
  { name: 'foreign tenant decrypt', path: (k) => `/v1/keys/${k.enc}/decrypt`, token: TOKENS.globexClient, body: { ciphertext: 'kl1.x.y.z.w' } },
  { name: 'unknown key', path: () => '/v1/keys/nope.0000000000000000/verify', token: TOKENS.acmeClient, body: { message: msg, signature: msg } },
  { name: 'unknown field', path: (k) => `/v1/keys/${k.sign}/sign`, token: TOKENS.acmeClient, body: { message: msg, extra: 1 } },
  { name: 'bad base64', path: (k) => `/v1/keys/${k.sign}/sign`, token: TOKENS.acmeClient, body: { message: 'not base64!' } },
  { name: 'message and digest', path: (k) => `/v1/keys/${k.sign}/sign`, token: TOKENS.acmeClient, body: { message: msg, digest } },
  { name: 'short digest', path: (k) => `/v1/keys/${k.sign}/sign`, token: TOKENS.acmeClient, body: { digest: b64('short') } },
  { name: 'sign with an encryption key', path: (k) => `/v1/keys/${k.enc}/sign`, token: TOKENS.acmeClient, body: { message: msg } },
  { name: 'encrypt missing plaintext', path: (k) => `/v1/keys/${k.enc}/encrypt`, token: TOKENS.acmeClient, body: { context: { a: 'b' } } },
  { name: 'decrypt garbage', path: (k) => `/v1/keys/${k.enc}/decrypt`, token: TOKENS.acmeClient, body: { ciphertext: 'kl1.garbage' } },
  { name: 'body not JSON', path: (k) => `/v1/keys/${k.sign}/sign`, token: TOKENS.acmeClient, body: '{"message":' },
  { name: 'JSON array body', path: (k) => `/v1/keys/${k.sign}/sign`, token: TOKENS.acmeClient, body: '[1,2]' },
  { name: 'proto poisoning', path: (k) => `/v1/keys/${k.sign}/sign`, token: TOKENS.acmeClient, body: `{"message":"${msg}","__proto__":{"x":1}}` },
  { name: 'empty JSON body', path: (k) => `/v1/keys/${k.sign}/sign`, token: TOKENS.acmeClient, body: '' },
  { name: 'text body', path: (k) => `/v1/keys/${k.sign}/sign`, token: TOKENS.acmeClient, body: 'hello', headers: { 'content-type': 'text/plain' } },
  { name: 'body over the limit', path: (k) => `/v1/keys/${k.sign}/sign`, token: TOKENS.acmeClient, body: { message: 'A'.repeat(2 * 1024 * 1024) } },
  { name: 'bad key id (Fastify handler)', path: () => '/v1/keys/bad!id/sign', token: TOKENS.acmeClient, body: { message: msg } },
  { name: 'query string (Fastify handler)', path: (k) => `/v1/keys/${k.sign}/sign?x=1`, token: TOKENS.acmeClient, body: { message: msg, extra: true } },
  { name: 'charset content type', path: (k) => `/v1/keys/${k.sign}/sign`, token: TOKENS.globexClient, body: JSON.stringify({ message: msg }), headers: { 'content-type': 'application/json; charset=utf-8' } },
];

type Answer = Awaited<ReturnType<Harness['call']>>;

/** What must be equal: status, body without the request id and key ids, and the headers that matter. */
function comparable(a: Answer, keys: Keys): unknown {
  const text = JSON.stringify(a.body).split(keys.sign).join('<sign>').split(keys.enc).join('<enc>');
  const body = JSON.parse(text) as { error?: { requestId?: string } };
  expect(a.headers.get('x-request-id')).toBeTruthy();
  if (body.error) {
    expect(body.error.requestId).toBe(a.headers.get('x-request-id'));
    delete body.error.requestId;
  }
  return { status: a.status, body, type: a.headers.get('content-type'), retryAfter: a.headers.get('retry-after') };
}

async function keysOf(h: Harness): Promise<Keys> {
  const sign = (await h.call('POST', '/v1/keys', TOKENS.acmeKeyAdmin, { tenantId: 'acme', name: 'sig', purpose: 'sign' })).body.keyId as string;
  const enc = (await h.call('POST', '/v1/keys', TOKENS.acmeKeyAdmin, { tenantId: 'acme', name: 'enc', purpose: 'encrypt' })).body.keyId as string;
  return { sign, enc };
}

describe('crypto routes: native paths answer exactly as the Nest path', () => {
  let native: Harness;
  let nest: Harness;
  let nk: Keys;
  let sk: Keys;

  beforeAll(async () => {
    native = await startHarness();
    nest = await startHarness({}, { cryptoThroughNest: true });
    nk = await keysOf(native);
    sk = await keysOf(nest);
  }, 60_000);

  afterAll(async () => {
    await native?.close();
    await nest?.close();
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const a = await native.call('POST', c.path(nk), c.token, c.body, c.headers);
    const b = await nest.call('POST', c.path(sk), c.token, c.body, c.headers);
    expect(a.status).toBeGreaterThanOrEqual(400);
    expect(comparable(a, nk)).toEqual(comparable(b, sk));
  });

  it('signs, verifies, encrypts and decrypts alike', async () => {
    for (const [h, k] of [[native, nk], [nest, sk]] as const) {
      const signed = await h.call('POST', `/v1/keys/${k.sign}/sign`, TOKENS.acmeClient, { message: msg });
      expect(signed).toMatchObject({ status: 200, body: { keyVersion: 1, kid: `${k.sign}.v1`, algorithm: 'ECDSA_P256_SHA256' } });
      expect(Object.keys(signed.body).sort()).toEqual(['algorithm', 'keyVersion', 'kid', 'signature', 'signatureString']);
      const verify = async (message: string) => (await h.call('POST', `/v1/keys/${k.sign}/verify`, TOKENS.acmeClient, { message, signature: signed.body.signature })).body;
      expect(await verify(msg)).toEqual({ valid: true, keyVersion: 1 });
      // Without keyVersion every verifiable version is tried: no match names no version.
      expect(await verify(b64('other'))).toEqual({ valid: false });
      const sealed = await h.call('POST', `/v1/keys/${k.enc}/encrypt`, TOKENS.acmeClient, { plaintext: msg, context: { order: '7' } });
      expect(sealed).toMatchObject({ status: 200, body: { keyVersion: 1 } });
      const open = await h.call('POST', `/v1/keys/${k.enc}/decrypt`, TOKENS.acmeClient, { ciphertext: sealed.body.ciphertext, context: { order: '7' } });
      expect(open).toMatchObject({ status: 200, body: { plaintext: msg, keyVersion: 1 } });
      const wrong = await h.call('POST', `/v1/keys/${k.enc}/decrypt`, TOKENS.acmeClient, { ciphertext: sealed.body.ciphertext, context: { order: '8' } });
      expect(wrong).toMatchObject({ status: 400, body: { error: { code: 'INVALID_CIPHERTEXT' } } });
      expect(signed.headers.get('content-type')).toBe('application/json; charset=utf-8');
    }
  });

  it('echoes a caller request id on every path', async () => {
    for (const [h, k] of [[native, nk], [nest, sk]] as const) {
      const ok = await h.call('POST', `/v1/keys/${k.sign}/sign`, TOKENS.acmeClient, { message: msg }, { 'x-request-id': 'caller-id-1' });
      expect(ok.headers.get('x-request-id')).toBe('caller-id-1');
      const bad = await h.call('POST', `/v1/keys/${k.sign}/sign`, null, { message: msg }, { 'x-request-id': 'caller-id-2' });
      expect(bad.body.error.requestId).toBe('caller-id-2');
    }
  });
});

class Capture extends Writable {
  readonly chunks: string[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.chunks.push(chunk.toString('utf8'));
    done();
  }
  lines(): Record<string, unknown>[] {
    return this.chunks.join('').split('\n').filter((l) => l.includes('request completed')).map((l) => JSON.parse(l) as Record<string, unknown>);
  }
}

describe('crypto fast path: access log', () => {
  it('writes the same request completed line as Fastify, without the token', async () => {
    const capture = new Capture();
    const h = await startHarness({ LOG_LEVEL: 'info' }, { logDestination: capture });
    try {
      const k = await keysOf(h);
      await h.call('POST', `/v1/keys/${k.sign}/sign`, TOKENS.acmeClient, { message: msg }, { 'x-request-id': 'fast-1' });
      await h.call('POST', `/v1/keys/${k.sign}/sign`, TOKENS.globexClient, { message: msg }, { 'x-request-id': 'fast-2' });
      await h.call('POST', `/v1/keys/${k.sign}/sign?q=1`, TOKENS.acmeClient, { message: msg }, { 'x-request-id': 'fastify-1' });
      await new Promise((r) => setTimeout(r, 100));
      const byId = new Map(capture.lines().map((l) => [(l.req as { id: string }).id, l]));
      const shape = (id: string) => {
        const line = byId.get(id) as { level: number; req: { method: string; path: string; headers: Record<string, unknown> }; res: { statusCode: number }; responseTime: unknown };
        return { level: line.level, method: line.req.method, path: line.req.path.replace(k.sign, '<k>'), status: line.res.statusCode, time: typeof line.responseTime, headers: Object.keys(line.req.headers).sort() };
      };
      expect(shape('fast-1')).toEqual({ ...shape('fastify-1'), level: 30 });
      expect(shape('fast-2')).toMatchObject({ level: 40, status: 404, path: '/v1/keys/<k>/sign' });
      expect(capture.chunks.join('')).not.toContain(TOKENS.acmeClient);
    } finally {
      await h.close();
    }
  });
});
