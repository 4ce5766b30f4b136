import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/** The workspace root. */
export const ROOT = path.resolve(__dirname, '../../..');
const BUILD = path.join(ROOT, 'tmp/keyledger-test-build');
const APPS = { api: 'apps/api', 'rotation-scheduler': 'apps/rotation-scheduler' } as const;
type App = keyof typeof APPS;

/** Tokens written to the started API's static token file. */
export const TOKENS = {
  admin: 'tok-cli-admin-0123456789abcdef',
  reader: 'tok-cli-reader-0123456789abcd',
} as const;

function newestSource(dirs: readonly string[]): number {
  let newest = 0;
  for (const dir of dirs) {
    for (const file of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
      if (file.endsWith('.ts') && !file.endsWith('.spec.ts')) newest = Math.max(newest, statSync(path.join(dir, file)).mtimeMs);
    }
  }
  return newest;
}

function withLock<T>(body: () => T): T {
  const lock = `${BUILD}.lock`;
  mkdirSync(path.dirname(lock), { recursive: true });
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 180_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`);
      spawnSync('sleep', ['0.5']);
    }
  }
  try {
    return body();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * Compiles an app with tsc into tmp/keyledger-test-build/dist/apps/<app> (not dist/, which the lead's
 * build owns) when any of its or the libs' sources is newer than the last build. Tests may not import
 * apps (module boundaries), so they run the compiled app as a child process like production does.
 * Type errors do not stop the emit; the typecheck targets report them.
 */
export function ensureBuilt(app: App): string {
  const outDir = path.join(BUILD, 'dist/apps', app);
  const main = path.join(outDir, APPS[app], 'src/main.js');
  const stamp = path.join(BUILD, `${app}.stamp`);
  const libs = readdirSync(path.join(ROOT, 'libs')).map((l) => path.join(ROOT, 'libs', l, 'src')).filter(existsSync);
  return withLock(() => {
    const sources = newestSource([path.join(ROOT, APPS[app], 'src'), ...libs]);
    if (existsSync(main) && existsSync(stamp) && statSync(stamp).mtimeMs >= sources) return main;
    const started = Date.now();
    // A clean build: a source file that moved (events.ts → events/index.ts) must not leave its old
    // output behind, which Node would load in place of the new directory.
    rmSync(outDir, { recursive: true, force: true });
    rmSync(path.join(BUILD, `${app}.tsbuildinfo`), { force: true });
    const tsc = path.join(ROOT, 'node_modules/typescript/bin/tsc');
    const args = [tsc, '-p', path.join(ROOT, APPS[app], 'tsconfig.app.json'), '--outDir', outDir, '--incremental', '--tsBuildInfoFile', path.join(BUILD, `${app}.tsbuildinfo`)];
    const result = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' });
    if (!existsSync(main)) throw new Error(`building ${app} produced no ${main}:\n${result.stdout}${result.stderr}`);
    writeFileSync(stamp, String(started));
    return main;
  });
}

/** A free TCP port on 127.0.0.1 (closed again before it is returned). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A compiled app running as a child process. */
export interface AppProcess {
  readonly url: string;
  readonly dataDir: string;
  /** stdout and stderr of the process (its JSON log lines). */
  readonly logFile: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

async function waitUntilLive(url: string, child: ChildProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`process exited with ${child.exitCode}:\n${readFileSync(logFile, 'utf8').slice(-3000)}`);
    try {
      if ((await fetch(`${url}/health/live`, { signal: AbortSignal.timeout(1000) })).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`${url} not live after 30 s:\n${readFileSync(logFile, 'utf8').slice(-3000)}`);
}

/** Starts a compiled app (`node -r register-paths main.js`) with `env` and waits for /health/live. */
export async function startApp(app: App, env: Record<string, string>, portVariable: 'PORT' | 'SCHEDULER_PORT', dataDir: string): Promise<AppProcess> {
  const main = ensureBuilt(app);
  const port = await freePort();
  const logFile = path.join(dataDir, `${app}.log`);
  const fd = openSync(logFile, 'a');
  const child = spawn(process.execPath, ['-r', path.join(ROOT, 'tools/scripts/register-paths.cjs'), main], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', NODE_ENV: 'test', LOG_LEVEL: 'info', KEYLEDGER_DATA_DIR: dataDir, ...env, [portVariable]: String(port) },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitUntilLive(url, child, logFile);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, dataDir, logFile, child, stop };
}

/** A fresh data dir with a static token file (admin + an auditor-only reader). */
export function freshDataDir(prefix: string): { dataDir: string; tokensFile: string } {
  const dataDir = mkdtempSync(path.join(tmpdir(), prefix));
  const tokensFile = path.join(dataDir, 'tokens.json');
  writeFileSync(
    tokensFile,
    JSON.stringify([
      { token: TOKENS.admin, subject: 'ops', roles: ['admin', 'key-admin', 'client', 'auditor'], tenants: ['*'] },
      { token: TOKENS.reader, subject: 'reader', roles: ['auditor'], tenants: ['acme'] },
    ]),
  );
  return { dataDir, tokensFile };
}

/** The API on the embedded store and local provider (or `env` overrides), with static tokens. */
export async function startApi(env: Record<string, string> = {}): Promise<AppProcess> {
  const { dataDir, tokensFile } = freshDataDir('keyledger-cli-');
  const api = await startApp('api', { AUTH_TOKENS_FILE: tokensFile, KMS_CACHE_WARM_COUNT: '0', ...env }, 'PORT', dataDir);
  return {
    ...api,
    stop: async () => {
      await api.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
