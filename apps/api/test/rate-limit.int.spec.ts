import { TOKENS, b64, startHarness, type Harness } from './support/api-harness';

describe('per-tenant rate limit', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ RATE_LIMIT_TENANT_RPS: '1', RATE_LIMIT_TENANT_BURST: '3' });
  });
  afterAll(() => h.close());

  it('answers 429 RATE_LIMITED with Retry-After once the tenant bucket is empty, other tenants unaffected', async () => {
    const key = (await h.call('POST', '/v1/keys', TOKENS.acmeKeyAdmin, { tenantId: 'acme', name: 'k', purpose: 'sign' })).body.keyId;
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 4; i++) {
      last = await h.call('POST', `/v1/keys/${key}/sign`, TOKENS.acmeClient, { message: b64('x') });
      statuses.push(last.status);
    }
    expect(statuses).toContain(429);
    const limited = await h.call('POST', `/v1/keys/${key}/sign`, TOKENS.acmeClient, { message: b64('x') });
    expect(limited).toMatchObject({ status: 429, body: { error: { code: 'RATE_LIMITED' } } });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await h.call('POST', '/v1/keys', TOKENS.globexClient, { tenantId: 'globex', name: 'g', purpose: 'sign' })).status).toBe(201);
  });
});
