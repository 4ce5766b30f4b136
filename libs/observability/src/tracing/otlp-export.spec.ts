import { execFile } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const workspaceRoot = path.resolve(__dirname, '../../../..');
const fixture = path.resolve(__dirname, '../../test/fixtures/emit-spans.ts');
const tsx = path.join(workspaceRoot, 'node_modules/.bin/tsx');
const SECRET = 'QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3ODkwMTIz';

interface Received {
  path: string;
  body: Buffer;
}

/** A loopback OTLP/HTTP receiver: accepts trace exports and keeps the raw requests. */
function startReceiver(received: Received[]): Promise<Server> {
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', body: Buffer.concat(chunks) });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function emitSpans(env: Record<string, string>): Promise<{ stdout: string }> {
  const base = { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', FIXTURE_SECRET: SECRET };
  return run(tsx, [fixture], { cwd: workspaceRoot, env: { ...base, ...env }, timeout: 60_000 });
}

describe('OTLP/HTTP export from a process (loopback receiver)', () => {
  const received: Received[] = [];
  let server: Server;
  let endpoint: string;

  beforeAll(async () => {
    server = await startReceiver(received);
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    received.length = 0;
  });

  it('sends the KMS spans to $OTEL_EXPORTER_OTLP_ENDPOINT/v1/traces, without the secret', async () => {
    const { stdout } = await emitSpans({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint });
    expect(stdout).toContain(`exported-to=${endpoint}/v1/traces`);
    expect(received.length).toBeGreaterThanOrEqual(1);
    expect(received.every((r) => r.path === '/v1/traces')).toBe(true);
    const payload = Buffer.concat(received.map((r) => r.body)).toString('latin1');
    for (const text of ['kms.retrieve_signing_key', 'kms.retrieve_encryption_key', 'kms.provider.unwrap', 'tenant.id', 'tenant-otlp', 'cache.hit', 'latency.ms', 'error.message', 'keyledger-otlp-fixture']) {
      expect(payload).toContain(text);
    }
    expect(payload).not.toContain(SECRET);
  }, 60_000);

  it('exports nothing when the endpoint variable is not set', async () => {
    const { stdout } = await emitSpans({});
    expect(stdout).toContain('exported-to=none');
    expect(received).toHaveLength(0);
  }, 60_000);
});
