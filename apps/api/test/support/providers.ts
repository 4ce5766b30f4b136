import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runInThisContext } from 'node:vm';

const WORKSPACE = resolve(__dirname, '../../../..');

/** tools/kms-test-server started with its documented command (tsx, port 0); the API reaches it over HTTP only. */
export function startKmsTestServer(args: readonly string[]): Promise<{ url: string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [require.resolve('tsx/cli'), join(WORKSPACE, 'tools/kms-test-server/src/main.ts'), '--port', '0', ...args], {
    cwd: WORKSPACE,
    env: { ...process.env, TSX_TSCONFIG_PATH: join(WORKSPACE, 'tsconfig.base.json') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((ok, fail) => {
    let output = '';
    child.on('exit', (code) => fail(new Error(`kms-test-server exited with ${String(code)}: ${output}`)));
    child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
    child.stdout?.on('data', (c: Buffer) => {
      output += c.toString();
      const url = /listening on (http:\/\/\S+)/.exec(output)?.[1];
      if (url === undefined) return;
      child.removeAllListeners('exit');
      ok({ url, stop: () => stop(child) });
    });
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((done) => {
    child.once('exit', () => done());
    child.kill('SIGTERM');
  });
}

/** Sets a variable in the real process environment too (SoftHSM2 reads SOFTHSM2_CONF natively; Jest copies process.env). */
export function setRealEnv(name: string, value: string): void {
  (runInThisContext('process') as NodeJS.Process).env[name] = value;
  process.env[name] = value;
}

/** A fresh SoftHSM2 token in a temporary directory, found by label. */
export function initialiseSoftHsmToken(label: string, pin: string): { dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'keyledger-api-softhsm-'));
  const conf = join(dir, 'softhsm2.conf');
  mkdirSync(join(dir, 'tokens'));
  writeFileSync(conf, `directories.tokendir = ${join(dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  setRealEnv('SOFTHSM2_CONF', conf);
  execFileSync('softhsm2-util', ['--init-token', '--free', '--label', label, '--so-pin', '5678', '--pin', pin], { env: { ...process.env, SOFTHSM2_CONF: conf } });
  return { dir };
}
