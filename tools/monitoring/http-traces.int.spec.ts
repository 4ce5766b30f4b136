import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { startOtlpReceiver, type OtlpReceiver, type OtlpSpan } from '@keyledger/testing';
import { startApi, TOKENS } from '../cli/test/api-process';
import { DRILL_TOKENS, sleep, startKeyledgerStack, type KeyledgerStack } from './drill/keyledger-stack';

jest.setTimeout(180_000);

const T = 'tenant-traces';
const b64 = (s: string | Buffer): string => Buffer.from(s).toString('base64');
/** Sent as message and plaintext; neither it nor its base64 may reach a span. */
const SECRET_TEXT = `secret-payload-${randomBytes(12).toString('hex')}`;
/** The caller's trace: the API's server span must continue it. */
const CALLER_TRACE = randomBytes(16).toString('hex');
const CALLER_SPAN = randomBytes(8).toString('hex');
const SERVER = 2;

async function call(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${DRILL_TOKENS.admin}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

/** The tree of spans under `root`, indented, with the attributes an operator reads. */
function tree(spans: readonly OtlpSpan[], root: OtlpSpan, depth = 0): string[] {
  const shown = ['http.route', 'http.response.status_code', 'tenant.id', 'error.type', 'key.type', 'cache.hit', 'error', 'kms.provider'];
  const attrs = shown.filter((k) => root.attributes[k] !== undefined).map((k) => `${k}=${String(root.attributes[k])}`);
  const lines = [`${'  '.repeat(depth)}${root.name} [${attrs.join(' ')}]`];
  for (const child of spans.filter((s) => s.parentSpanId === root.spanId)) lines.push(...tree(spans, child, depth + 1));
  return lines;
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

describe('traces from the HTTP edge: the built API exports OTLP/HTTP to a loopback collector', () => {
  let receiver: OtlpReceiver;
  let stack: KeyledgerStack;
  let signKey: string;
  let sealKey: string;
  let coldKey: string;
  let dataKeyPlaintext = '';

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    // A cache of one entry: each key's material is evicted by the next one's, so the first use of a
    // key after another's is a miss that calls the provider.
    stack = await startKeyledgerStack({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, LOG_LEVEL: 'info', KMS_CACHE_MAX_SIZE: '1' } });
    const create = async (name: string, purpose: 'sign' | 'encrypt') => (await call(stack.api.url, 'POST', '/v1/keys', { tenantId: T, name, purpose })).body['keyId'] as string;
    signKey = await create('signer', 'sign');
    sealKey = await create('sealer', 'encrypt');
    coldKey = await create('cold', 'sign');
  });

  afterAll(async () => {
    await stack?.stop();
    await receiver?.close();
  });

  const spans = () => receiver.spans();
  const serverSpans = () => spans().filter((s) => s.kind === SERVER);
  const childrenOf = (parent: OtlpSpan) => spans().filter((s) => s.parentSpanId === parent.spanId && s.traceId === parent.traceId);

  it('continues the caller\'s traceparent on the fast path: server span → kms.retrieve_signing_key → kms.provider.decrypt', async () => {
    // The cache holds the last key created (cold), not this one.
    const traceparent = `00-${CALLER_TRACE}-${CALLER_SPAN}-01`;
    const res = await call(stack.api.url, 'POST', `/v1/keys/${signKey}/sign`, { message: b64(SECRET_TEXT) }, { traceparent });
    expect(res.status).toBe(200);
    const server = await until('the sign request\'s server span', () => serverSpans().find((s) => s.traceId === CALLER_TRACE));
    expect(server.parentSpanId).toBe(CALLER_SPAN);
    expect(server.name).toBe('POST /v1/keys/:keyId/sign');
    expect(server.attributes).toMatchObject({ 'http.request.method': 'POST', 'http.route': '/v1/keys/:keyId/sign', 'http.response.status_code': 200, 'tenant.id': T });
    expect(server.resource['service.name']).toBe('keyledger-api');
    const retrieval = await until('the retrieval span', () => childrenOf(server).find((s) => s.name === 'kms.retrieve_signing_key'));
    expect(retrieval.attributes).toMatchObject({ 'tenant.id': T, 'key.type': 'signing', 'cache.checked': true, 'cache.hit': false });
    expect(typeof retrieval.attributes['latency.ms']).toBe('number');
    const provider = await until('the provider span', () => childrenOf(retrieval).find((s) => s.name.startsWith('kms.provider.')));
    expect(provider.name).toBe('kms.provider.decrypt');
    expect(provider.attributes).toMatchObject({ 'kms.provider': 'aws', 'kms.operation': 'decrypt' });
    expect(typeof provider.attributes['latency.ms']).toBe('number');
    expect(provider.status.code).not.toBe(2);
  });

  it('gives a request through Fastify\'s router the same server span; a cache hit has no provider child', async () => {
    // Not the canonical content type: Fastify's route serves it, not the fast path.
    const res = await call(stack.api.url, 'POST', `/v1/keys/${signKey}/sign`, { message: b64('again') }, { 'content-type': 'application/json;charset=UTF-8', 'x-request-id': 'trace-fastify-1' });
    expect(res.status).toBe(200);
    const server = await until('a second sign span', () => serverSpans().filter((s) => s.name === 'POST /v1/keys/:keyId/sign' && s.traceId !== CALLER_TRACE)[0]);
    expect(server.parentSpanId).toBe('');
    expect(server.attributes).toMatchObject({ 'http.route': '/v1/keys/:keyId/sign', 'http.response.status_code': 200, 'tenant.id': T });
    const retrieval = await until('its retrieval', () => childrenOf(server).find((s) => s.name === 'kms.retrieve_signing_key'));
    expect(retrieval.attributes['cache.hit']).toBe(true);
    expect(childrenOf(retrieval)).toEqual([]);
  });

  it('traces Nest routes (public key, encrypt, data key), with a retrieval span where the material is needed', async () => {
    expect((await call(stack.api.url, 'GET', `/v1/keys/${signKey}/public-key`)).status).toBe(200);
    expect((await call(stack.api.url, 'POST', `/v1/keys/${sealKey}/encrypt`, { plaintext: b64(SECRET_TEXT), context: { purpose: 'traces' } })).status).toBe(200);
    const dataKey = await call(stack.api.url, 'POST', `/v1/keys/${sealKey}/data-key`, { includePlaintext: true, context: { purpose: 'traces' } });
    expect(dataKey.status).toBe(200);
    dataKeyPlaintext = String(dataKey.body['plaintext'] ?? '');
    expect(dataKeyPlaintext.length).toBeGreaterThan(0);
    // Served from the signer registry's view: a server span, and no provider call under it.
    const publicKey = await until('the public-key span', () => serverSpans().find((s) => s.name === 'GET /v1/keys/:keyId/public-key'));
    expect(publicKey.attributes).toMatchObject({ 'http.route': '/v1/keys/:keyId/public-key', 'http.response.status_code': 200, 'tenant.id': T });
    const encrypt = await until('the encrypt span', () => serverSpans().find((s) => s.name === 'POST /v1/keys/:keyId/encrypt'));
    const sealRetrieval = await until('its retrieval', () => childrenOf(encrypt).find((s) => s.name === 'kms.retrieve_encryption_key'));
    expect(sealRetrieval.attributes).toMatchObject({ 'tenant.id': T, 'key.type': 'encryption' });
    const dataKeySpan = await until('the data-key span', () => serverSpans().find((s) => s.name === 'POST /v1/keys/:keyId/data-key'));
    expect(dataKeySpan.attributes['tenant.id']).toBe(T);
  });

  it('marks a failed retrieval: error and error.message on kms.retrieve_* and kms.provider.*, 5xx and the error code on the server span', async () => {
    stack.kms.faults.set({ mode: 'access-denied' });
    try {
      const res = await call(stack.api.url, 'POST', `/v1/keys/${coldKey}/sign`, { message: b64(SECRET_TEXT) });
      expect(res.status).toBeGreaterThanOrEqual(500);
      const code = (res.body['error'] as { code: string }).code;
      const server = await until('the failed sign span', () => serverSpans().find((s) => s.name === 'POST /v1/keys/:keyId/sign' && s.attributes['http.response.status_code'] === res.status));
      expect(server.attributes).toMatchObject({ 'error.type': code, error: true, 'tenant.id': T });
      expect(server.status.code).toBe(2);
      const retrieval = await until('the failed retrieval', () => childrenOf(server).find((s) => s.name === 'kms.retrieve_signing_key'));
      expect(retrieval.attributes).toMatchObject({ error: true, 'cache.hit': false, 'tenant.id': T });
      expect(String(retrieval.attributes['error.message'])).toMatch(/\S/);
      const provider = await until('the failed provider call', () => childrenOf(retrieval).find((s) => s.name === 'kms.provider.decrypt'));
      expect(provider.attributes['error']).toBe(true);
      expect(String(provider.attributes['error.message'])).toMatch(/\S/);
      expect(provider.status.code).toBe(2);
    } finally {
      stack.kms.faults.clear();
    }
  });

  it('a bad request gets its server span with the 4xx code, an unknown route a span named by its method', async () => {
    const bad = await call(stack.api.url, 'POST', `/v1/keys/${signKey}/sign`, { message: 42 });
    expect(bad.status).toBe(400);
    expect((await call(stack.api.url, 'GET', '/no/such/route')).status).toBe(404);
    const invalid = await until('the 400 span', () => serverSpans().find((s) => s.attributes['http.response.status_code'] === 400));
    expect(invalid.attributes).toMatchObject({ 'http.route': '/v1/keys/:keyId/sign', 'error.type': (bad.body['error'] as { code: string }).code });
    expect(invalid.status.code).not.toBe(2);
    const missing = await until('the 404 span', () => serverSpans().find((s) => s.attributes['error.type'] === 'NOT_FOUND'));
    expect(missing.name).toBe('GET');
    expect(missing.attributes['http.route']).toBeUndefined();
  });

  it('puts no token, payload, plaintext, data key or key material in any span, and prints the tree', async () => {
    await sleep(1500);
    const all = spans();
    const raw = Buffer.concat(receiver.bodies).toString('latin1');
    expect(dataKeyPlaintext.length).toBeGreaterThan(0);
    for (const text of [DRILL_TOKENS.admin, SECRET_TEXT, b64(SECRET_TEXT), dataKeyPlaintext, 'PRIVATE KEY']) expect(raw).not.toContain(text);
    // Every attribute is a name, id, code, flag or number: no long opaque value (material, ciphertext).
    for (const s of all) for (const v of Object.values(s.attributes)) if (typeof v === 'string') expect(v.length).toBeLessThan(200);
    expect(receiver.paths.every((p) => p === '/v1/traces')).toBe(true);
    const traced = serverSpans().find((s) => s.traceId === CALLER_TRACE) as OtlpSpan;
    process.stdout.write(`span tree of the traceparent request (trace ${CALLER_TRACE}, caller span ${CALLER_SPAN}):\n${tree(all, traced).join('\n')}\n`);
    const failed = serverSpans().find((s) => s.attributes['error'] === true) as OtlpSpan;
    process.stdout.write(`span tree of the failed sign:\n${tree(all, failed).join('\n')}\n`);
  });
});

describe('a failing trace exporter never fails nor blocks a request', () => {
  for (const collector of ['hang', 'refused'] as const) {
    it(`answers every request while the collector ${collector === 'hang' ? 'never answers' : 'refuses connections'}`, async () => {
      const receiver = await startOtlpReceiver('hang');
      const endpoint = receiver.endpoint;
      if (collector === 'refused') await receiver.close();
      const api = await startApi({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, LOG_LEVEL: 'warn' });
      try {
        const admin = (method: string, path: string, body?: unknown) =>
          fetch(`${api.url}${path}`, { method, headers: { authorization: `Bearer ${TOKENS.admin}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
        const created = (await (await admin('POST', '/v1/keys', { tenantId: 'acme', name: 'k', purpose: 'sign' })).json()) as { keyId: string };
        const statuses: number[] = [];
        // Past the batch processor's 1 s schedule, so exports are attempted (and hang or fail) while requests go on.
        for (let i = 0; i < 30; i++) {
          statuses.push((await admin('POST', `/v1/keys/${created.keyId}/sign`, { message: b64(`m${i}`) })).status);
          await sleep(100);
        }
        expect(statuses).toEqual(Array(30).fill(200));
        if (collector === 'hang') expect(receiver.bodies.length).toBeGreaterThanOrEqual(1);
        expect((await fetch(`${api.url}/health/live`)).status).toBe(200);
        expect(readFileSync(api.logFile, 'utf8')).not.toContain(TOKENS.admin);
      } finally {
        await api.stop();
        if (collector === 'hang') await receiver.close();
      }
    });
  }
});
