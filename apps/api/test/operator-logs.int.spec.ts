import { startHarness, TOKENS, b64, type Harness } from './support/api-harness';
import { LogCapture, STARTUP_CONTEXTS } from './support/log-capture';

describe('logs an operator can use (LOG_LEVEL=info)', () => {
  const capture = new LogCapture();
  let h: Harness;
  let startup: Record<string, unknown>[];
  let keyId: string;

  beforeAll(async () => {
    h = await startHarness({ LOG_LEVEL: 'info' }, { logDestination: capture });
    startup = capture.lines();
    const created = await h.call('POST', '/v1/keys', TOKENS.admin, { tenantId: 'acme', name: 'logged', purpose: 'sign' });
    expect(created.status).toBe(201);
    keyId = created.body.keyId;
  });

  afterAll(async () => {
    await h?.close();
  });

  it('starts with a handful of lines, none per route, module or controller', () => {
    expect(startup.length).toBeGreaterThan(0);
    expect(startup.length).toBeLessThanOrEqual(5);
    expect(startup.filter((l) => STARTUP_CONTEXTS.includes(String(l['context'])))).toEqual([]);
  });

  it('gives each access line the route template, tenant, error code and latency, on the fast path and through Fastify alike', async () => {
    const sign = { message: b64('hello') };
    expect((await h.call('POST', `/v1/keys/${keyId}/sign`, TOKENS.acmeClient, sign, { 'x-request-id': 'log-fast' })).status).toBe(200);
    const viaFastify = { 'x-request-id': 'log-fastify', 'content-type': 'application/json;charset=UTF-8' };
    expect((await h.call('POST', `/v1/keys/${keyId}/sign`, TOKENS.acmeClient, sign, viaFastify)).status).toBe(200);
    for (const id of ['log-fast', 'log-fastify']) {
      const line = capture.access(id);
      expect(line).toMatchObject({ level: 30, msg: 'request completed', route: '/v1/keys/:keyId/sign', tenant: 'acme', res: { statusCode: 200 } });
      expect(typeof line?.['responseTime']).toBe('number');
      expect(line).not.toHaveProperty('errorCode');
    }
  });

  it('names the error code of every failure, and the tenant only when the caller authenticated', async () => {
    const answers = [
      await h.call('GET', `/v1/keys/${keyId}`, TOKENS.globexClient, undefined, { 'x-request-id': 'log-other-tenant' }),
      await h.call('POST', `/v1/keys/${keyId}/sign`, null, { message: b64('x') }, { 'x-request-id': 'log-no-token' }),
      await h.call('POST', `/v1/keys/${keyId}/sign`, TOKENS.acmeClient, '{"message":', { 'x-request-id': 'log-bad-json' }),
      await h.call('GET', '/v1/tenants/acme/jwks.json', TOKENS.acmeClient, undefined, { 'x-request-id': 'log-jwks' }),
      await h.call('GET', '/no/such/route', TOKENS.acmeClient, undefined, { 'x-request-id': 'log-no-route' }),
    ];
    expect(answers.map((a) => a.status)).toEqual([404, 401, 400, 200, 404]);
    expect(capture.access('log-other-tenant')).toMatchObject({ level: 40, route: '/v1/keys/:keyId', tenant: 'acme', errorCode: 'KEY_NOT_FOUND' });
    expect(capture.access('log-no-token')).toMatchObject({ level: 40, route: '/v1/keys/:keyId/sign', errorCode: 'UNAUTHENTICATED' });
    expect(capture.access('log-no-token')).not.toHaveProperty('tenant');
    expect(capture.access('log-bad-json')).toMatchObject({ route: '/v1/keys/:keyId/sign', errorCode: answers[2].body.error.code });
    expect(capture.access('log-jwks')).toMatchObject({ level: 30, route: '/v1/tenants/:tenantId/jwks.json', tenant: 'acme' });
    const missing = capture.access('log-no-route');
    expect(missing).toMatchObject({ level: 40, errorCode: 'NOT_FOUND' });
    expect(missing).not.toHaveProperty('route');
    expect(capture.chunks.join('')).not.toContain(TOKENS.acmeClient);
  });

  it('does not log /metrics and health scrapes at info', async () => {
    for (const [path, id] of [['/metrics', 'scrape-metrics'], ['/health/live', 'scrape-live'], ['/health/ready', 'scrape-ready']]) {
      expect((await h.call('GET', path, null, undefined, { 'x-request-id': id })).status).toBeLessThan(600);
      expect(capture.access(id)).toBeUndefined();
    }
    // The line of a request after them is there: the scrapes' lines were left out, not delayed.
    await h.call('GET', '/v1/tenants/acme/jwks.json', TOKENS.acmeClient, undefined, { 'x-request-id': 'after-scrapes' });
    expect(capture.access('after-scrapes')).toBeDefined();
  });
});
