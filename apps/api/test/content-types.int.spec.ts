import { TOKENS, b64, startHarness, type Harness } from './support/api-harness';

// Bodies are JSON only: anything else is 415 UNSUPPORTED_MEDIA_TYPE, and no error repeats a request value.
let h: Harness;
let signKey: string;
let encKey: string;

const MARKER = 'do-not-echo-7f3a9c';

async function send(path: string, contentType: string | undefined, body: string): Promise<{ status: number; text: string; json: { error?: { code: string; message: string } } }> {
  const headers: Record<string, string> = { authorization: `Bearer ${TOKENS.admin}` };
  if (contentType !== undefined) headers['content-type'] = contentType;
  const res = await fetch(`${h.base}${path}`, { method: 'POST', headers, body });
  const text = await res.text();
  return { status: res.status, text, json: text.startsWith('{') ? JSON.parse(text) : {} };
}

beforeAll(async () => {
  h = await startHarness();
  signKey = (await h.call('POST', '/v1/keys', TOKENS.admin, { tenantId: 'acme', name: 'payments', purpose: 'sign' })).body.keyId;
  encKey = (await h.call('POST', '/v1/keys', TOKENS.admin, { tenantId: 'acme', name: 'vault', purpose: 'encrypt' })).body.keyId;
});
afterAll(() => h.close());

describe('request bodies', () => {
  it('answers a JSON body sent as a form with 415 UNSUPPORTED_MEDIA_TYPE, repeating none of it (sign, data-key, create)', async () => {
    const cases = [
      { path: `/v1/keys/${signKey}/sign`, body: JSON.stringify({ message: b64(MARKER) }) },
      { path: `/v1/keys/${encKey}/data-key`, body: JSON.stringify({ context: { [MARKER]: MARKER } }) },
      { path: '/v1/keys', body: JSON.stringify({ tenantId: 'acme', name: MARKER, purpose: 'sign' }) },
      { path: `/v1/keys/${signKey}/sign`, body: `message=${b64(MARKER)}` },
    ];
    for (const c of cases) {
      const res = await send(c.path, 'application/x-www-form-urlencoded', c.body);
      expect({ path: c.path, status: res.status, code: res.json.error?.code }).toEqual({ path: c.path, status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
      expect(res.json.error?.message).toBe('Send the body as JSON, with content-type: application/json');
      expect(res.text).not.toContain(MARKER);
      expect(res.text).not.toContain(b64(MARKER));
    }
  });

  it.each(['text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/json-patch+json', 'application/jsonx', 'application/x-json'])(
    'answers content-type %s with 415',
    async (type) => {
      const res = await send(`/v1/keys/${signKey}/sign`, type, JSON.stringify({ message: b64(MARKER) }));
      expect(res).toMatchObject({ status: 415, json: { error: { code: 'UNSUPPORTED_MEDIA_TYPE' } } });
      expect(res.text).not.toContain(MARKER);
    },
  );

  it('answers a body without a content-type with 415', async () => {
    const res = await fetch(`${h.base}/v1/keys/${signKey}/sign`, { method: 'POST', headers: { authorization: `Bearer ${TOKENS.admin}` }, body: new Blob([JSON.stringify({ message: b64('x') })]) });
    expect(res.status).toBe(415);
    expect(await res.json()).toMatchObject({ error: { code: 'UNSUPPORTED_MEDIA_TYPE' } });
  });

  it.each(['application/json', 'application/json; charset=utf-8', 'application/json;charset=UTF-8', 'Application/JSON', 'application/json; charset="utf-8"'])(
    'accepts content-type %s on the fast path and through Nest',
    async (type) => {
      expect((await send(`/v1/keys/${signKey}/sign`, type, JSON.stringify({ message: b64('x') }))).status).toBe(200);
      expect((await send(`/v1/keys/${encKey}/data-key`, type, JSON.stringify({ bits: 128 }))).status).toBe(200);
    },
  );

  it('still accepts a bodiless POST (no content-type, no body)', async () => {
    const res = await fetch(`${h.base}/v1/keys/${signKey}/rotate`, { method: 'POST', headers: { authorization: `Bearer ${TOKENS.admin}` } });
    expect(res.status).toBe(200);
  });
});

describe('unknown fields', () => {
  it('lists at most five names, each cut to 64 characters, then counts the rest', async () => {
    const names = Array.from({ length: 7 }, (_, i) => `${String.fromCharCode(97 + i)}${'x'.repeat(80)}${MARKER}`);
    const body = Object.fromEntries([['message', b64('x')], ...names.map((n) => [n, 1])]);
    const res = await send(`/v1/keys/${signKey}/sign`, 'application/json', JSON.stringify(body));
    expect(res).toMatchObject({ status: 400, json: { error: { code: 'REQUEST_INVALID' } } });
    const message = res.json.error?.message as string;
    expect(message).toMatch(/^Invalid body: unknown field\(s\): .* and 2 more$/);
    const listed = message.replace(/^Invalid body: unknown field\(s\): /, '').replace(/ and 2 more$/, '').split(', ');
    expect(listed).toHaveLength(5);
    for (const name of listed) expect(Array.from(name).length).toBeLessThanOrEqual(64);
    expect(res.text).not.toContain(MARKER);
  });

  it('shows a short unknown name whole', async () => {
    const res = await send(`/v1/keys/${signKey}/sign`, 'application/json', JSON.stringify({ message: b64('x'), extra: 1 }));
    expect(res.json.error?.message).toBe('Invalid body: unknown field(s): extra');
  });

  it('names the field, not the key, of a bad encryption-context entry', async () => {
    const res = await send(`/v1/keys/${encKey}/data-key`, 'application/json', JSON.stringify({ context: { [MARKER]: 5 } }));
    expect(res).toMatchObject({ status: 400, json: { error: { code: 'REQUEST_INVALID' } } });
    expect(res.json.error?.message).toMatch(/^Invalid context: /);
    expect(res.text).not.toContain(MARKER);
  });
});
