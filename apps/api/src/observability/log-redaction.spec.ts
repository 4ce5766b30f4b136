import { Writable } from 'node:stream';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@keyledger/runtime';
import { startApi } from '../bootstrap';

/** Known secrets sent through every part of a request; none may reach the log. */
const SECRETS = {
  bearer: 'eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LWJlYXJlci10b2tlbg.sig-AAAA1111',
  cookie: 'session-cookie-secret-7f3a9c',
  apiKey: 'api-key-secret-0d9e8f7a',
  queryToken: 'query-token-secret-5b6c7d',
  queryPlaintext: 'query-plaintext-secret-1a2b',
  bodyPlaintext: 'body-plaintext-secret-3c4d',
  bodyKey: 'body-key-material-secret-5e6f',
  bodyDataKey: 'body-data-key-secret-7a8b',
};

class Capture extends Writable {
  readonly chunks: string[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.chunks.push(chunk.toString('utf8'));
    done();
  }
  lines(): Record<string, unknown>[] {
    return this.chunks.join('').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
  }
}

describe('API request logs', () => {
  let app: NestFastifyApplication;
  let base: string;
  const capture = new Capture();

  beforeAll(async () => {
    const config = { ...loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'trace' }), port: 0 };
    app = await startApi(config, { observability: { tenantLabel: true }, logDestination: capture, withoutKeys: true });
    const address = app.getHttpServer().address();
    if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
    base = `http://127.0.0.1:${address.port}`;
  });

  afterAll(async () => {
    await app.close();
  });

  async function send(path: string, method: 'GET' | 'POST', requestId: string): Promise<Response> {
    const query = `?token=${SECRETS.queryToken}&plaintext=${SECRETS.queryPlaintext}`;
    return fetch(`${base}${path}${query}`, {
      method,
      headers: {
        authorization: `Bearer ${SECRETS.bearer}`,
        cookie: `sid=${SECRETS.cookie}`,
        'x-api-key': SECRETS.apiKey,
        'x-request-id': requestId,
        'content-type': 'application/json',
      },
      body: method === 'POST' ? JSON.stringify({ plaintext: SECRETS.bodyPlaintext, keyMaterial: SECRETS.bodyKey, dataKey: SECRETS.bodyDataKey }) : undefined,
    });
  }

  it('logs JSON lines with request ids and none of the secrets from headers, body or query', async () => {
    const responses = [
      await send('/health/live', 'GET', 'req-live-1'),
      await send('/health/ready', 'GET', 'req-ready-2'),
      await send('/health/live', 'POST', 'req-post-3'),
      await send('/no-such-route', 'POST', 'req-missing-4'),
    ];
    expect(responses.map((r) => r.status)).toEqual([200, 503, 404, 404]);
    expect(responses[0].headers.get('x-request-id')).toBe('req-live-1');

    const output = capture.chunks.join('');
    const lines = capture.lines();
    const requestLogs = lines.filter((l) => typeof l['req'] === 'object');
    expect(requestLogs.map((l) => (l['req'] as { id: string }).id)).toEqual(
      expect.arrayContaining(['req-live-1', 'req-ready-2', 'req-post-3', 'req-missing-4']),
    );
    expect(requestLogs.find((l) => (l['req'] as { id: string }).id === 'req-live-1')).toMatchObject({
      app: 'keyledger-api',
      req: { method: 'GET', path: '/health/live' },
      res: { statusCode: 200 },
    });
    for (const secret of Object.values(SECRETS)) expect(output).not.toContain(secret);
  });

  it('makes up a request id when the caller sends none or a malformed one', async () => {
    const res = await fetch(`${base}/health/live`, { headers: { 'x-request-id': 'bad id with spaces' } });
    const id = res.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(capture.lines().some((l) => (l['req'] as { id?: string } | undefined)?.id === id)).toBe(true);
  });
});
