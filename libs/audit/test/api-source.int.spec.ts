import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@keyledger/adapters';
import { AuditLog, AuditSource, apiAuditSource, exportJsonl, noteVerifierKey, openAuditSource, verifyAuditRecords, verifyAuditSource } from '../src';
import { Scenario, buildScenario } from './scenario';

const TOKEN = 'tok-api-source-0123456789abcdef';

/**
 * A loopback HTTP server standing in for the API's route: `/good/v1/audit/events` answers from a
 * real AuditLog over the scenario's store (the function the controller calls); the other prefixes
 * answer the ways a broken or hostile server might.
 */
let server: Server;
let base: string;
let dir: string;
let s: Scenario;
let log: AuditLog;
const seen: { url: string; authorization: string | undefined }[] = [];

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
  seen.push({ url: req.url ?? '', authorization: req.headers.authorization });
  const url = new URL(req.url ?? '/', 'http://x');
  const from = Number(url.searchParams.get('fromPosition'));
  const limit = Number(url.searchParams.get('limit'));
  const [, mode, rest] = /^\/([a-z]+)(\/.*)$/.exec(url.pathname) ?? [];
  if (rest !== '/v1/audit/events') return json(res, 404, { error: { code: 'NOT_FOUND', message: 'No such route' } });
  switch (mode) {
    case 'good':
      return json(res, 200, await log.auditedEvents(from, limit));
    case 'notjson':
      return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html>proxy login</html>');
    case 'shape':
      return json(res, 200, { items: [], next: null });
    case 'badevent':
      return json(res, 200, { events: [{ streamName: 'key-acme:k', revision: 0, metadata: { prevHash: 'x', hash: 'y' } }], nextPosition: null });
    case 'stuck':
      return json(res, 200, { events: [], nextPosition: from });
    case 'behind': {
      const page = await log.auditedEvents(from, limit);
      return json(res, 200, { ...page, nextPosition: 2 });
    }
    case 'unauth':
      return json(res, 401, { error: { code: 'UNAUTHENTICATED', message: 'Missing or invalid bearer token' } });
    case 'forbidden':
      return json(res, 403, { error: { code: 'FORBIDDEN', message: 'The audit log spans every tenant: this needs a token for all tenants (*)' } });
    case 'echo':
      return json(res, 500, { error: { code: 'INTERNAL', message: `you sent ${req.headers.authorization}` } });
    case 'redirect':
      return void res.writeHead(302, { location: `${base}/good/v1/audit/events` }).end();
    default:
      return json(res, 404, { error: { code: 'NOT_FOUND', message: 'No such route' } });
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'audit-api-source-'));
  const store = SqliteEventStore.open({ dataDir: dir, fileName: 'events.sqlite', synchronous: 'NORMAL' });
  s = await buildScenario(store);
  log = new AuditLog(store);
  server = createServer((req, res) => void answer(req, res).catch((error: unknown) => json(res, 500, { error: String(error) })));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

async function verify(source: AuditSource) {
  try {
    return await verifyAuditSource(source, { auditKey: noteVerifierKey(s.auditKey.publicKey), threads: 1 });
  } finally {
    await source.close();
  }
}

async function failure(path: string, token = TOKEN): Promise<Error & { code?: string }> {
  try {
    await verify(apiAuditSource(`${base}${path}`, { token, pageSize: 5, timeoutMs: 5000 }));
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error(`reading ${path} did not fail`);
}

describe('API audit source', () => {
  it('pages the route with the bearer token and replays clean, like the file without its key-material streams', async () => {
    seen.length = 0;
    const fromApi = await verify(apiAuditSource(`${base}/good/`, { token: TOKEN, pageSize: 7 }));
    const fromFile = await verify(openAuditSource(`sqlite:${join(dir, 'events.sqlite')}`));
    expect(fromApi.findings).toEqual([]);
    expect(fromFile.findings).toEqual([]);
    expect(fromApi.rootHash).toBe(fromFile.rootHash);
    expect(fromApi.auditedEvents).toBe(fromFile.auditedEvents);
    expect(fromApi.checkpoints).toEqual(fromFile.checkpoints);
    expect(fromApi.checkpoints).toHaveLength(2);
    // The scenario wraps key material four times (one stream is then deleted): three events the API never serves.
    expect(fromApi.eventsChecked).toBe(fromFile.eventsChecked - 3);
    expect(seen.length).toBe(Math.ceil(fromApi.eventsChecked / 7));
    expect(seen[0]).toEqual({ url: '/good/v1/audit/events?fromPosition=1&limit=7', authorization: `Bearer ${TOKEN}` });
    expect(seen.every((r) => r.authorization === `Bearer ${TOKEN}`)).toBe(true);
  });

  it('exports what it reads to JSONL as RecordedEvents, without the API-only leafIndex', async () => {
    const out = join(dir, 'api.jsonl');
    const written = await exportJsonl(openAuditSource(`api:${base}/good`, { token: TOKEN }), out);
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(written);
    expect(lines.some((l) => l.includes('leafIndex') || /"keymaterialv?-/.test(l))).toBe(false);
    const report = await verifyAuditRecords(openAuditSource(out).records(), { auditKey: noteVerifierKey(s.auditKey.publicKey) });
    expect(report).toMatchObject({ clean: true, eventsChecked: written });
  });

  it.each([
    ['/notjson', 'AUDIT_FORMAT_INVALID', /page fromPosition=1 of API http:\/\/127\.0\.0\.1:\d+\/notjson is not JSON/],
    ['/shape', 'AUDIT_FORMAT_INVALID', /is not a page of events/],
    ['/badevent', 'AUDIT_FORMAT_INVALID', /event 0 has no valid position/],
    ['/stuck', 'AUDIT_FORMAT_INVALID', /page fromPosition=1 of .* does not advance \(nextPosition 1\)/],
    ['/behind', 'AUDIT_FORMAT_INVALID', /page fromPosition=1 of .* does not advance \(nextPosition 2\)/],
    ['/unauth', 'AUDIT_SOURCE_DENIED', /refused the token \(401 UNAUTHENTICATED: .*\): audit export and verify need a token with role auditor or admin and tenants \["\*"\]$/],
    ['/forbidden', 'AUDIT_SOURCE_DENIED', /refused access \(403 FORBIDDEN: .*\): .*role auditor or admin and tenants \["\*"\]$/],
    ['/echo', 'AUDIT_SOURCE_FAILED', /answered HTTP 500 INTERNAL: you sent Bearer \[redacted\]$/],
    ['/redirect', 'AUDIT_SOURCE_FAILED', /answered a redirect \(HTTP 302\)/],
    ['/nowhere', 'AUDIT_SOURCE_FAILED', /answered HTTP 404 NOT_FOUND: No such route \(is this the keyledger API base URL\?\)/],
  ])('refuses %s with %s, never showing the token', async (path, code, message) => {
    seen.length = 0;
    const error = await failure(path);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain(TOKEN);
    expect(error.message).not.toContain('\n');
    // A redirect is not followed: the token went to the named URL only.
    expect(seen.every((r) => r.url.startsWith(path))).toBe(true);
  });

  it('reports an API that cannot be reached, and refuses URLs it must not use', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const error = await verify(apiAuditSource(`http://127.0.0.1:${port}`, { token: TOKEN })).catch((e: Error & { code?: string }) => e);
    expect(error).toMatchObject({ code: 'AUDIT_SOURCE_UNREACHABLE', message: `cannot reach the API at http://127.0.0.1:${port}: ECONNREFUSED` });

    const refused: [string, RegExp][] = [
      ['ftp://h/x', /http:\/\/ or https:\/\//],
      ['not a url', /http:\/\/ or https:\/\//],
      [`http://auditor:${TOKEN}@127.0.0.1:1`, /must not carry credentials/],
      ['http://127.0.0.1:1/?token=x', /no query or fragment/],
    ];
    for (const [url, message] of refused) {
      expect(() => apiAuditSource(url, { token: TOKEN })).toThrow(expect.objectContaining({ code: 'AUDIT_FORMAT_INVALID', message: expect.stringMatching(message) }));
      expect(() => apiAuditSource(url, { token: TOKEN })).toThrow(expect.not.objectContaining({ message: expect.stringContaining(TOKEN) }));
    }
    expect(() => openAuditSource(`api:${base}`)).toThrow(expect.objectContaining({ code: 'AUDIT_FORMAT_INVALID', message: expect.stringContaining('need a bearer token') }));
    expect(() => openAuditSource(`${base}/good`)).toThrow(expect.objectContaining({ code: 'AUDIT_FORMAT_INVALID', message: expect.stringContaining('api:<url>') }));
    expect(apiAuditSource(`${base}/good/`, { token: TOKEN })).toMatchObject({ description: `API ${base}/good`, total: null });
  });
});
