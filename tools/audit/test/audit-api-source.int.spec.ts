import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DEFAULT_EVENTS_FILE } from '@keyledger/adapters';
import { runCli as runKeyledgerCli } from '../../cli/src/cli';
import { ROOT, ensureBuilt, freePort, startApp, type AppProcess } from '../../cli/test/api-process';
import { runCli } from '../src/cli';

jest.setTimeout(180_000);

/** Tokens of the started API: auditors for all tenants pass; the others must be refused. */
const TOK = {
  auditor: 'tok-audit-src-auditor-0123456789',
  keyAdmin: 'tok-audit-src-keyadmin-012345678',
  client: 'tok-audit-src-client-0123456789a',
  acmeAuditor: 'tok-audit-src-acme-auditor-01234',
  wrong: 'tok-audit-src-not-issued-0123456',
} as const;

let dir: string;
let api: AppProcess;
let pem: string;
let tokenFile: string;
let invoices: string;

interface Run {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** The audit tool in this process (real HTTP to the API process), with only the given environment. */
async function audit(argv: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (t) => (out += t), err: (t) => (err += t), errIsTty: false }, env);
  return { code, out, err };
}

/** The installed executable (tools/audit/bin/keyledger-audit.cjs → tsx → main.ts), as an auditor runs it. */
function auditBin(argv: readonly string[], env: Record<string, string> = {}): Run {
  const r = spawnSync(process.execPath, [join(ROOT, 'tools/audit/bin/keyledger-audit.cjs'), ...argv], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

async function call(method: string, path: string, token: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${api.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function createKey(name: string): Promise<string> {
  const created = await call('POST', '/v1/keys', TOK.keyAdmin, { tenantId: 'acme', name, purpose: 'sign' });
  expect(created.status).toBe(201);
  return created.body['keyId'] as string;
}

/** The scheduler's `--once` run on the API's data directory: signs a checkpoint as production does. */
function schedulerOnce(): void {
  const main = ensureBuilt('rotation-scheduler');
  const r = spawnSync(process.execPath, ['-r', join(ROOT, 'tools/scripts/register-paths.cjs'), main, '--once'], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', NODE_ENV: 'test', LOG_LEVEL: 'warn', KEYLEDGER_DATA_DIR: api.dataDir },
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (r.status !== 0) throw new Error(`scheduler --once exited ${r.status}:\n${r.stdout}${r.stderr}`);
}

const line = (out: string, label: string) => out.split('\n').find((l) => l.startsWith(label)) ?? `no ${label} line`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'keyledger-audit-api-'));
  const tokens = join(dir, 'tokens.json');
  writeFileSync(
    tokens,
    JSON.stringify([
      { token: TOK.auditor, subject: 'auditor', roles: ['auditor'], tenants: ['*'] },
      { token: TOK.keyAdmin, subject: 'acme-admin', roles: ['key-admin'], tenants: ['acme'] },
      { token: TOK.client, subject: 'acme-app', roles: ['client'], tenants: ['acme'] },
      { token: TOK.acmeAuditor, subject: 'acme-auditor', roles: ['auditor'], tenants: ['acme'] },
    ]),
  );
  api = await startApp('api', { AUTH_TOKENS_FILE: tokens, KMS_CACHE_WARM_COUNT: '0' }, 'PORT', dir);
  const key = await call('GET', '/v1/audit/key', TOK.auditor);
  pem = join(dir, 'audit-public.pem');
  writeFileSync(pem, key.body['publicKeyPem'] as string);
  tokenFile = join(dir, 'auditor.token');
  writeFileSync(tokenFile, `${TOK.auditor}\n`);
  // Key material is written for every key: the API must leave those streams out, and the replay still be clean.
  const payments = await createKey('payments');
  expect((await call('POST', `/v1/keys/${payments}/rotate`, TOK.keyAdmin)).status).toBe(200);
  schedulerOnce();
  invoices = await createKey('invoices');
  schedulerOnce();
  await createKey('refunds');
});

afterAll(async () => {
  await api?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('audit export and verify from the API', () => {
  it('exports to JSONL (token from --token-file), and the export verifies clean against the pinned key', async () => {
    const out = join(dir, 'api-export.jsonl');
    const exported = await audit(['export', '--from', `api:${api.url}`, '--out', out, '--token-file', tokenFile]);
    expect(exported.err).toBe('');
    expect(exported.code).toBe(0);
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { streamName: string; type: string });
    expect(exported.out).toBe(`exported ${lines.length} events from API ${api.url} to ${out}\n`);
    expect(lines.filter((e) => e.streamName === 'audit-checkpoints').map((e) => e.type)).toEqual(['AuditCheckpointSigned', 'AuditCheckpointSigned']);
    expect(lines.some((e) => e.streamName === 'audit-key')).toBe(true);
    expect(lines.some((e) => e.streamName.startsWith('keymaterial-'))).toBe(false);
    expect(readFileSync(out, 'utf8')).not.toContain('leafIndex');

    const verified = await audit(['verify', '--from', out, '--audit-key', pem]);
    expect(verified.code).toBe(0);
    expect(verified.out).toContain('CLEAN: no findings');
    expect(line(verified.out, 'events:')).toMatch(new RegExp(`^events: +${lines.length} in `));
    expect(line(verified.out, 'checkpoints:')).toMatch(/^checkpoints: 2 \(latest covers \d+\)$/);
  });

  it('verifies straight from api: (KEYLEDGER_TOKEN), to the same root as the store file itself', async () => {
    const fromApi = await audit(['verify', '--from', `api:${api.url}/`, '--audit-key', pem], { KEYLEDGER_TOKEN: TOK.auditor });
    expect(fromApi.err).toBe('');
    expect(fromApi.code).toBe(0);
    expect(fromApi.out).toContain(`source:      API ${api.url}\n`);
    expect(fromApi.out).toContain('CLEAN: no findings');
    const fromFile = await audit(['verify', '--from', `sqlite:${join(dir, DEFAULT_EVENTS_FILE)}`, '--audit-key', pem, '--threads', '1']);
    expect(fromFile.code).toBe(0);
    // Same tree, same checkpoints; the file has more events (the key-material streams the API never serves).
    expect(line(fromApi.out, 'root:')).toBe(line(fromFile.out, 'root:'));
    expect(line(fromApi.out, 'checkpoints:')).toBe(line(fromFile.out, 'checkpoints:'));
    const count = (out: string) => Number(/^events: +(\d+)/.exec(line(out, 'events:'))?.[1]);
    expect(count(fromApi.out)).toBeLessThan(count(fromFile.out));

    // The operator CLI hands `keyledger audit ...` its environment, so the same KEYLEDGER_TOKEN works there.
    let out = '';
    const code = await runKeyledgerCli(['audit', 'verify', '--from', `api:${api.url}`, '--audit-key', pem], { out: (t) => (out += t), err: () => undefined, errIsTty: false }, { KEYLEDGER_TOKEN: TOK.auditor });
    expect({ code, root: line(out, 'root:') }).toEqual({ code: 0, root: line(fromFile.out, 'root:') });
  });

  it('exits 2 with one line and no token when the token is wrong or absent (the installed bin)', () => {
    const wrongFile = join(dir, 'wrong.token');
    writeFileSync(wrongFile, TOK.wrong);
    const wrong = auditBin(['verify', '--from', `api:${api.url}`, '--audit-key', pem, '--token-file', wrongFile]);
    expect(wrong.code).toBe(2);
    expect(wrong.out).toBe('');
    expect(wrong.err).toMatch(new RegExp(`^audit: the API at ${api.url.replace(/[.]/g, '\\.')} refused the token \\(401 UNAUTHENTICATED[^)]*\\): .*role auditor or admin and tenants \\["\\*"\\]\\n$`));
    expect(wrong.err).not.toContain(TOK.wrong);

    const viaEnv = auditBin(['export', '--from', `api:${api.url}`, '--out', join(dir, 'never.jsonl')], { KEYLEDGER_TOKEN: TOK.wrong });
    expect(viaEnv.code).toBe(2);
    expect(viaEnv.err).toContain('refused the token (401');
    expect(viaEnv.err).not.toContain(TOK.wrong);
    expect(existsSync(join(dir, 'never.jsonl'))).toBe(false);

    const absent = auditBin(['verify', '--from', `api:${api.url}`, '--audit-key', pem]);
    expect(absent.code).toBe(2);
    expect(absent.err).toMatch(/^audit: no token: set KEYLEDGER_TOKEN or pass --token-file \(.*role auditor or admin and tenants \["\*"\]\)\n$/);
  });

  it('exits 2 with the role hint for a token without the auditor role or without every tenant', async () => {
    for (const token of [TOK.client, TOK.acmeAuditor, TOK.keyAdmin]) {
      const r = await audit(['verify', '--from', `api:${api.url}`, '--audit-key', pem], { KEYLEDGER_TOKEN: token });
      expect({ token, code: r.code, out: r.out }).toEqual({ token, code: 2, out: '' });
      expect(r.err).toMatch(/^audit: the API at \S+ refused access \(403 FORBIDDEN: .*\): audit export and verify need a token with role auditor or admin and tenants \["\*"\]\n$/);
      expect(r.err).not.toContain(token);
    }
  });

  it('exits 2 when the API cannot be reached, naming the URL only', async () => {
    const port = await freePort();
    const r = await audit(['export', '--from', `api:http://127.0.0.1:${port}`, '--out', join(dir, 'never.jsonl')], { KEYLEDGER_TOKEN: TOK.auditor });
    expect(r).toEqual({ code: 2, out: '', err: `audit: cannot reach the API at http://127.0.0.1:${port}: ECONNREFUSED\n` });
    const bare = await audit(['verify', '--from', api.url, '--audit-key', pem], { KEYLEDGER_TOKEN: TOK.auditor });
    expect(bare).toMatchObject({ code: 2, err: expect.stringContaining('name the API as api:<url>') });
  });

  it('finds an event edited in the store behind the running API (exit 1, chain finding at its position)', async () => {
    const db = new Database(join(dir, DEFAULT_EVENTS_FILE));
    try {
      db.pragma('busy_timeout = 5000');
      const row = db.prepare('SELECT position, body FROM events WHERE stream = ? AND revision = 0').get(`key-acme:${invoices}`) as { position: number; body: string };
      const edited = row.body.replace('"rotationPeriodDays":90', '"rotationPeriodDays":9');
      expect(edited).not.toBe(row.body);
      db.prepare('UPDATE events SET body = ? WHERE position = ?').run(edited, row.position);
      const r = await audit(['verify', '--from', `api:${api.url}`, '--audit-key', pem, '--json', join(dir, 'report.json')], { KEYLEDGER_TOKEN: TOK.auditor });
      expect(r.code).toBe(1);
      expect(r.out).toMatch(new RegExp(`\\n\\s*${row.position}\\s+key-acme:\\S+\\s+chain\\s+stored hash differs`));
      const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as { source: string; clean: boolean };
      expect(report).toMatchObject({ source: `API ${api.url}`, clean: false });
    } finally {
      db.close();
    }
  });
});
