import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeStore } from './fixture';

const ROOT = resolve(__dirname, '../../..');
const MAIN = join(ROOT, 'tools/audit/src/main.ts');

/** Runs the real CLI in a child process, as an auditor would. */
function audit(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [require.resolve('tsx/cli'), MAIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, TSX_TSCONFIG_PATH: 'tsconfig.base.json' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'audit-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('audit CLI (spawned)', () => {
  it('exits 0 on a clean store, exports it, and exits 0 on the export too', async () => {
    const clean = join(dir, 'clean');
    const { db, pem } = await writeStore(clean);
    const verified = audit('verify', '--from', `sqlite:${db}`, '--audit-key', pem);
    expect(verified.stdout).toContain('CLEAN: no findings');
    expect(verified.status).toBe(0);
    const out = join(clean, 'export.jsonl');
    const exported = audit('export', '--from', `sqlite:${db}`, '--out', out);
    expect(exported.status).toBe(0);
    expect(exported.stdout).toContain('exported 7 events');
    expect(readFileSync(out, 'utf8').trimEnd().split('\n')).toHaveLength(7);
    expect(audit('verify', `--from=${out}`, `--audit-key=${pem}`).status).toBe(0);
  }, 120_000);

  it('exits 1 with a findings table and a JSON report when something is wrong', async () => {
    const bad = join(dir, 'bad');
    const { db, pem } = await writeStore(bad, { forgeBreakGlass: true });
    const report = join(bad, 'report.json');
    const r = audit('verify', '--from', `sqlite:${db}`, '--audit-key', pem, '--json', report);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/POSITION\s+STREAM\s+RULE\s+DETAIL/);
    expect(r.stdout).toMatch(/8\s+breakglass-ghost\s+break-glass-signature\s+BreakGlassSignatureIssued outside any requested session/);
    const json = JSON.parse(readFileSync(report, 'utf8')) as { clean: boolean; findings: unknown[] };
    expect(json.clean).toBe(false);
    expect(json.findings).toEqual([expect.objectContaining({ position: 8, stream: 'breakglass-ghost', rule: 'break-glass-signature' })]);
  }, 120_000);

  it('prints the same findings with --threads 1 as with the worker thread (the default)', async () => {
    const bad = join(dir, 'threads');
    const { db, pem } = await writeStore(bad, { forgeBreakGlass: true });
    const [one, two] = [audit('verify', '--from', `sqlite:${db}`, '--audit-key', pem, '--threads', '1'), audit('verify', '--from', `sqlite:${db}`, '--audit-key', pem)];
    expect([one.status, two.status]).toEqual([1, 1]);
    expect(two.stdout).toContain('break-glass-signature');
    expect(two.stdout).toBe(one.stdout);
    expect(audit('verify', '--from', `sqlite:${db}`, '--audit-key', pem, '--threads', '4').status).toBe(2);
  }, 120_000);

  it('exits 2 on usage errors and unreadable inputs', async () => {
    const u = join(dir, 'usage');
    const { db, pem } = await writeStore(u);
    writeFileSync(join(u, 'not-a-key.pem'), 'hello');
    const cases: string[][] = [
      [],
      ['frobnicate'],
      ['verify', '--from', `sqlite:${db}`],
      ['verify', '--from', `sqlite:${db}`, '--audit-key', pem, '--colour', 'yes'],
      ['verify', '--from', `sqlite:${db}`, '--audit-key', join(u, 'not-a-key.pem')],
      ['verify', '--from', `sqlite:${join(u, 'missing.sqlite')}`, '--audit-key', pem],
      ['export', '--from', 'https://keyledger.example', '--out', join(u, 'x.jsonl')],
    ];
    for (const args of cases) {
      const r = audit(...args);
      expect({ args, status: r.status }).toEqual({ args, status: 2 });
      expect(r.stderr).toMatch(/^audit: /m);
    }
    const help = audit('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('audit verify --from <source> --audit-key');
  }, 180_000);
});
