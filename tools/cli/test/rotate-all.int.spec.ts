import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RotationJob } from '../src/commands/rotate-all';
import { cli } from './run';

const job = (patch: Partial<RotationJob>): RotationJob => ({
  jobId: 'rotation-job-1',
  status: 'running',
  startedAt: '2025-06-01T00:00:00.000Z',
  finishedAt: null,
  total: 3,
  rotated: 0,
  skipped: 0,
  failed: 0,
  remaining: 3,
  ...patch,
});

/** A stand-in API: answers the POST with a running job, then each GET with the next state. */
async function fakeApi(states: readonly RotationJob[]): Promise<{ server: Server; url: string; requests: { method: string; url: string; auth: string | undefined }[] }> {
  const requests: { method: string; url: string; auth: string | undefined }[] = [];
  let polls = 0;
  const server = createServer((req: IncomingMessage, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', auth: req.headers.authorization });
    req.resume();
    req.on('end', () => {
      const post = req.method === 'POST' && req.url === '/api/admin/kms/rotate-all-keys';
      const body = post ? job({}) : states[Math.min(polls++, states.length - 1)];
      res.writeHead(post ? 202 : 200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

describe('keyledger keys rotate --all', () => {
  let api: Awaited<ReturnType<typeof fakeApi>> | undefined;
  afterEach(() => new Promise<void>((resolve) => (api ? api.server.close(() => resolve()) : resolve())));

  it('posts, polls the job with a progress bar until it completes, prints the final job and exits 1 when a key failed', async () => {
    api = await fakeApi([job({ rotated: 2, remaining: 1 }), job({ status: 'completed', finishedAt: '2025-06-01T00:00:03.000Z', rotated: 2, failed: 1, remaining: 0 })]);
    const run = await cli(['keys', 'rotate', '--all', '--json'], { KEYLEDGER_URL: api.url, KEYLEDGER_TOKEN: 'tok-test-0123456789abcdef' }, true);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.out)).toMatchObject({ jobId: 'rotation-job-1', status: 'completed', rotated: 2, failed: 1 });
    expect(run.err).toContain('rotate-all rotation-job-1 [');
    expect(run.err).toContain('2/3');
    expect(api.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      'POST /api/admin/kms/rotate-all-keys',
      'GET /api/admin/kms/jobs/rotation-job-1',
      'GET /api/admin/kms/jobs/rotation-job-1',
    ]);
    expect(api.requests.every((r) => r.auth === 'Bearer tok-test-0123456789abcdef')).toBe(true);
  });

  it('exits 0 with a summary when every key was rotated, and draws nothing off a terminal', async () => {
    api = await fakeApi([job({ status: 'completed', finishedAt: '2025-06-01T00:00:01.000Z', rotated: 3, remaining: 0 })]);
    const run = await cli(['keys', 'rotate', '--all'], { KEYLEDGER_URL: api.url, KEYLEDGER_TOKEN: 'tok-test-0123456789abcdef' }, false);
    expect(run).toMatchObject({ code: 0, err: '' });
    expect(run.out).toMatch(/^job\s+rotation-job-1$/m);
    expect(run.out).toMatch(/^rotated\s+3$/m);
  });

  it('refuses key ids or --if-match together with --all before calling the API', async () => {
    const env = { KEYLEDGER_URL: 'http://127.0.0.1:9', KEYLEDGER_TOKEN: 'tok-test-0123456789abcdef' };
    expect((await cli(['keys', 'rotate', '--all', 'k1'], env)).code).toBe(2);
    expect((await cli(['keys', 'rotate', '--all', '--if-match', '"3"'], env)).code).toBe(2);
  });
});
