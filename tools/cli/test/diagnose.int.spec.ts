import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { TOKENS, startApi, type AppProcess } from './api-process';
import { cli, spawnCli } from './run';

jest.setTimeout(120_000);

const SECRETS = {
  LOCAL_KMS_MASTER_KEY: 'bG9jYWwtbWFzdGVyLWtleS1zZWNyZXQtMzItYnl0ZXM=',
  PKCS11_PIN: '918273',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  esdbPassword: 'esdb-s3cr3t-pw',
};

function extract(bundle: string): { dir: string; files: Record<string, string> } {
  const dir = mkdtempSync(path.join(tmpdir(), 'keyledger-diag-x-'));
  execFileSync('tar', ['-xzf', bundle, '-C', dir]);
  const [top] = readdirSync(dir);
  const files = Object.fromEntries(readdirSync(path.join(dir, top)).map((f) => [f, readFileSync(path.join(dir, top, f), 'utf8')]));
  return { dir, files };
}

describe('keyledger diagnose', () => {
  let api: AppProcess;
  let work: string;
  beforeAll(async () => {
    api = await startApi();
    work = mkdtempSync(path.join(tmpdir(), 'keyledger-diag-'));
  });
  afterAll(async () => {
    await api?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('writes a tar.gz with configuration, health, status, validate, metrics and logs, secrets redacted', async () => {
    appendFileSync(api.logFile, `{"msg":"request","authorization":"Bearer ${TOKENS.admin}"}\n`);
    const envFile = path.join(work, 'deploy.env');
    require('node:fs').writeFileSync(envFile, `# compose\nexport EVENTSTORE_CONNECTION_STRING=esdb://admin:${SECRETS.esdbPassword}@esdb1:2113?tls=true\nAWS_SECRET_ACCESS_KEY='${SECRETS.AWS_SECRET_ACCESS_KEY}'\nKMS_PROVIDER=aws\n`);
    const bundle = path.join(work, 'bundle.tar.gz');
    const env = { KEYLEDGER_URL: api.url, KEYLEDGER_TOKEN: TOKENS.admin, KMS_PROVIDER: 'local', LOCAL_KMS_MASTER_KEY: SECRETS.LOCAL_KMS_MASTER_KEY, PKCS11_PIN: SECRETS.PKCS11_PIN };
    const run = await spawnCli(['diagnose', '--out', bundle, '--log-file', api.logFile, '--log-lines', '50', '--env-file', envFile], env, work);
    expect(run).toMatchObject({ code: 0, out: `${bundle}\n` });
    const { dir, files } = extract(bundle);
    try {
      expect(Object.keys(files).sort()).toEqual(['configuration.env', 'health-live.json', 'health-ready.json', 'logs.txt', 'manifest.json', 'metrics.txt', 'status.json', 'validate.json']);
      expect(JSON.parse(files['status.json'])).toMatchObject({ provider: 'local' });
      expect(JSON.parse(files['validate.json'])).toMatchObject({ status: 'PASS' });
      expect(JSON.parse(files['health-ready.json'])).toMatchObject({ status: 'ok' });
      expect(files['metrics.txt']).toMatch(/^signing_frozen 0$/m);
      expect(files['logs.txt'].trim().split('\n').length).toBeLessThanOrEqual(50);
      expect(files['logs.txt']).toContain('"authorization":"[redacted]"');
      expect(files['configuration.env']).toMatch(/^KMS_PROVIDER=local$/m);
      expect(files['configuration.env']).toMatch(/^KMS_PROVIDER=aws$/m);
      expect(files['configuration.env']).toMatch(/^KEYLEDGER_TOKEN=\[redacted\]$/m);
      expect(files['configuration.env']).toMatch(/^PKCS11_PIN=\[redacted\]$/m);
      expect(files['configuration.env']).toContain('EVENTSTORE_CONNECTION_STRING=esdb://[redacted]@esdb1:2113?tls=true');
      const manifest = JSON.parse(files['manifest.json']) as { sections: { file: string; ok: boolean }[] };
      expect(manifest.sections.every((s) => s.ok)).toBe(true);
      const everything = Object.values(files).join('\n') + readFileSync(bundle).toString('latin1');
      for (const secret of [...Object.values(SECRETS), TOKENS.admin]) expect(everything).not.toContain(secret);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('still writes a bundle when the API is down, listing what failed, and exits 1', async () => {
    const bundle = path.join(work, 'down.tar.gz');
    const run = await cli(['diagnose', '--out', bundle, '--log-file', path.join(work, 'missing.log')], { KEYLEDGER_URL: 'http://127.0.0.1:9', KEYLEDGER_TOKEN: TOKENS.admin });
    expect(run.code).toBe(1);
    expect(run.err).toContain('health-ready.json: cannot reach keyledger');
    const { dir, files } = extract(bundle);
    try {
      const manifest = JSON.parse(files['manifest.json']) as { sections: { file: string; ok: boolean; note: string }[] };
      expect(manifest.sections.find((s) => s.file === 'logs.txt')).toMatchObject({ ok: false, note: expect.stringContaining('ENOENT') });
      expect(manifest.sections.find((s) => s.file === 'configuration.env')).toMatchObject({ ok: true });
      expect(files['configuration.env']).toContain('KEYLEDGER_TOKEN=[redacted]');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
