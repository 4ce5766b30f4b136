import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { TOKENS, b64, startHarness, type Harness } from './support/api-harness';

/** Every line the API logs (access lines and the rest). */
class Capture extends Writable {
  readonly chunks: string[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.chunks.push(chunk.toString('utf8'));
    done();
  }
  lines(): Record<string, unknown>[] {
    return this.chunks
      .join('')
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  }
}

const capture = new Capture();
let h: Harness;
let signKey: string;

beforeAll(async () => {
  h = await startHarness({ LOG_LEVEL: 'info' }, { logDestination: capture });
  signKey = (await h.call('POST', '/v1/keys', TOKENS.admin, { tenantId: 'acme', name: 'payments', purpose: 'sign' })).body.keyId;
});
afterAll(() => h.close());

describe('the bearer scheme (RFC 7235: case-insensitive)', () => {
  const routes = () => [
    { what: 'fast path', method: 'POST', path: `/v1/keys/${signKey}/sign`, body: { message: b64('x') } },
    { what: 'native Fastify route', method: 'POST', path: `/v1/keys/${signKey}/sign?via=fastify`, body: { message: b64('x') } },
    { what: 'Nest route', method: 'GET', path: `/v1/keys/${signKey}`, body: undefined },
  ];

  it.each(['Bearer', 'bearer', 'BEARER', 'bEaReR'])('accepts the scheme written %s on every path', async (scheme) => {
    for (const r of routes()) {
      const res = await h.call(r.method, r.path, null, r.body, { authorization: `${scheme} ${TOKENS.acmeClient}` });
      expect({ what: r.what, status: res.status }).toEqual({ what: r.what, status: 200 });
    }
  });

  it.each(['Basic', 'Bearer-x', 'Bearertok', 'Token'])('still refuses another scheme (%s) with 401', async (scheme) => {
    for (const r of routes()) {
      const res = await h.call(r.method, r.path, null, r.body, { authorization: `${scheme} ${TOKENS.acmeClient}` });
      expect({ what: r.what, status: res.status, code: res.body.error?.code }).toEqual({ what: r.what, status: 401, code: 'UNAUTHENTICATED' });
    }
    expect((await h.call('GET', `/v1/keys/${signKey}`, null, undefined, { authorization: 'bearer ' })).status).toBe(401);
  });
});

/** Sends the headers of a POST declaring 1000 bytes and a few of them, then closes the socket. */
async function abortMidBody(path: string, requestId: string): Promise<void> {
  const url = new URL(h.base);
  const socket = connect(Number(url.port), url.hostname);
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.on('error', () => undefined);
  socket.write(
    `POST ${path} HTTP/1.1\r\nhost: ${url.host}\r\nauthorization: Bearer ${TOKENS.admin}\r\ncontent-type: application/json\r\n` +
      `x-request-id: ${requestId}\r\ncontent-length: 1000\r\n\r\n{"message":`,
  );
  await sleep(100);
  socket.destroy();
}

describe('a client abort mid-request', () => {
  it('is an access line at info ("request aborted by the client", 499), not "unexpected error" at error, on every path', async () => {
    const paths = { 'abort-nest': '/v1/keys', 'abort-fast': `/v1/keys/${signKey}/sign`, 'abort-fastify': `/v1/keys/${signKey}/sign?via=fastify` };
    for (const [id, path] of Object.entries(paths)) await abortMidBody(path, id);
    await sleep(300);
    const lines = capture.lines();
    for (const id of Object.keys(paths)) {
      const mine = lines.filter((l) => (l.req as { id?: string } | undefined)?.id === id || l.requestId === id);
      expect({ id, lines: mine.map((l) => ({ level: l.level, msg: l.msg, status: (l.res as { statusCode?: number } | undefined)?.statusCode })) }).toEqual({
        id,
        lines: [{ level: 30, msg: 'request aborted by the client', status: 499 }],
      });
    }
    expect(lines.filter((l) => l.msg === 'unexpected error')).toEqual([]);
    // The server carries on.
    expect((await h.call('POST', `/v1/keys/${signKey}/sign`, TOKENS.acmeClient, { message: b64('x') })).status).toBe(200);
  });
});
