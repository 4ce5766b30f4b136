import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { OVERSIZED_DRAIN_FACTOR } from '../src/http/oversized-body';
import { TOKENS, startHarness, type Harness } from './support/api-harness';

const LIMIT = 1024 * 1024;

/** A raw HTTP/1.1 upload: headers declaring `declared` bytes, then `first` bytes of body; returns the socket and what it has received so far. */
async function upload(base: string, path: string, declared: number, first: number): Promise<{ socket: Socket; received: () => string; closed: Promise<void> }> {
  const url = new URL(base);
  const socket = connect(Number(url.port), url.hostname);
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  let text = '';
  socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.write(`POST ${path} HTTP/1.1\r\nhost: ${url.host}\r\nauthorization: Bearer ${TOKENS.acmeClient}\r\ncontent-type: application/json\r\ncontent-length: ${declared}\r\n\r\n`);
  socket.write(Buffer.alloc(first, 0x41));
  return { socket, received: () => text, closed };
}

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

  it('reads an oversized body to its end before refusing it, so the client finishes its upload and reads the answer', async () => {
    const declared = LIMIT + 200_000;
    const { socket, received, closed } = await upload(h.base, '/v1/keys/abc.0123456789abcdef/sign', declared, 100_000);
    await sleep(300);
    // Refusing now and closing would cut the client off mid-upload (EPIPE / ECONNRESET on its side).
    expect(received()).toBe('');
    socket.end(Buffer.alloc(declared - 100_000, 0x41));
    await closed;
    expect(received()).toMatch(/^HTTP\/1\.1 400 /);
    expect(received()).toContain('"code":"BODY_TOO_LARGE"');
  });

  it(`refuses at once a body declared over ${OVERSIZED_DRAIN_FACTOR}x the limit, without reading it`, async () => {
    const { socket, received } = await upload(h.base, '/v1/keys/abc.0123456789abcdef/sign', OVERSIZED_DRAIN_FACTOR * LIMIT + 1, 1000);
    for (let i = 0; i < 50 && received() === ''; i++) await sleep(20);
    expect(received()).toMatch(/^HTTP\/1\.1 400 /);
    expect(received()).toContain('"code":"BODY_TOO_LARGE"');
    socket.destroy();
  });

  it('lets a 128-character id reach the route (404 KEY_NOT_FOUND) and answers a longer segment with 414 in the envelope', async () => {
    const longId = `${'k'.repeat(111)}.0123456789abcdef`;
    expect(await h.call('GET', `/v1/keys/${longId}`, TOKENS.acmeClient)).toMatchObject({ status: 404, body: { error: { code: 'KEY_NOT_FOUND' } } });
    const res = await fetch(`${h.base}/v1/keys/${'k'.repeat(300)}`, { headers: { authorization: `Bearer ${TOKENS.acmeClient}` } });
    expect(res.status).toBe(414);
    expect(await res.json()).toMatchObject({ error: { code: 'REQUEST_INVALID' } });
  });
});
