import { TOKENS, startHarness, type Harness } from './support/api-harness';

// Fastify rejects some requests before routing; they must still answer in the error envelope.
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

describe('errors raised before routing', () => {
  it('answers a malformed percent-encoding with 400 REQUEST_INVALID in the envelope, without echoing the path', async () => {
    const res = await fetch(`${h.base}/v1/keys/%ZZsecret`, { headers: { authorization: `Bearer ${TOKENS.acmeClient}` } });
    const body = await res.json();
    expect(res.status).toBe(400);
    expect(body).toMatchObject({ error: { code: 'REQUEST_INVALID', requestId: res.headers.get('x-request-id') } });
    expect(JSON.stringify(body)).not.toContain('secret');
  });

  it('lets a 128-character id reach the route (404 KEY_NOT_FOUND) and answers a longer segment with 414 in the envelope', async () => {
    const longId = `${'k'.repeat(111)}.0123456789abcdef`;
    expect(await h.call('GET', `/v1/keys/${longId}`, TOKENS.acmeClient)).toMatchObject({ status: 404, body: { error: { code: 'KEY_NOT_FOUND' } } });
    const res = await fetch(`${h.base}/v1/keys/${'k'.repeat(300)}`, { headers: { authorization: `Bearer ${TOKENS.acmeClient}` } });
    expect(res.status).toBe(414);
    expect(await res.json()).toMatchObject({ error: { code: 'REQUEST_INVALID' } });
  });
});
