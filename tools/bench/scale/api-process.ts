/**
 * The built API as the scale bench drives it: spawned on a data directory with the bench's
 * settings, timed to readiness, called with one bearer token, its resident memory read from /proc.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');

/** What the API runs with besides its data directory. */
export interface ApiSettings {
  /** The bearer token of the tokens file beside the data directory (`../tokens.json`). */
  readonly token: string;
  /** KMS_ROTATION_MAX_PER_MINUTE. */
  readonly rotationMaxPerMinute: number;
  /** When set, the process runs with --cpu-prof into this directory. */
  readonly cpuProfileDir?: string;
}

export interface Api {
  readonly child: ChildProcess;
  readonly base: string;
  readonly token: string;
  /** Process spawn to the first 200 of /health/ready. */
  readonly startSeconds: number;
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

/** Spawns the built API on `dataDir` and times it to readiness. */
export async function startApi(dataDir: string, logFile: string, settings: ApiSettings): Promise<Api> {
  const port = await freePort();
  const log = openSync(logFile, 'a');
  const started = performance.now();
  const profile = settings.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${resolve(settings.cpuProfileDir)}`] : [];
  const child = spawn(process.execPath, [...profile, '-r', './tools/scripts/register-paths.cjs', 'dist/apps/api/apps/api/src/main.js'], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      REQUIRE_KMS: 'false',
      KMS_PROVIDER: 'local',
      KEYLEDGER_DATA_DIR: dataDir,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      AUTH_TOKENS_FILE: join(dataDir, '..', 'tokens.json'),
      RATE_LIMIT_TENANT_RPS: '0',
      KMS_CACHE_WARM_COUNT: '0',
      KMS_ROTATION_MAX_PER_MINUTE: String(settings.rotationMaxPerMinute),
    },
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  let exited: number | null = null;
  child.once('exit', (code) => (exited = code ?? -1));
  const base = `http://127.0.0.1:${port}`;
  for (;;) {
    if (exited !== null) throw new Error(`the API exited with ${exited} before it was ready:\n${readFileSync(logFile, 'utf8').slice(-2000)}`);
    if (performance.now() - started > 600_000) {
      child.kill('SIGTERM');
      throw new Error('the API was not ready within 600 s');
    }
    const ready = await fetch(`${base}/health/ready`).then((r) => r.status === 200, () => false);
    if (ready) return { child, base, token: settings.token, startSeconds: (performance.now() - started) / 1000 };
    await new Promise((r) => setTimeout(r, 10));
  }
}

export async function stop(api: Api): Promise<void> {
  if (api.child.exitCode !== null) return;
  const exited = new Promise((r) => api.child.once('exit', r));
  api.child.kill('SIGTERM');
  await exited;
}

/** One request; throws on a non-2xx answer (the bench measures working calls only). */
export async function call(api: Api, method: string, path: string, body?: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${api.base}${path}`, { method, headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/json' }, body });
  const text = await res.text();
  if (res.status < 200 || res.status > 299) throw new Error(`${method} ${path.split('?')[0]}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as Record<string, unknown>;
}

/** Milliseconds of one call. */
export async function timedCall(api: Api, method: string, path: string, body?: string): Promise<number> {
  const t = performance.now();
  await call(api, method, path, body);
  return performance.now() - t;
}

export function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
}

/** Max VmRSS (MB) over five samples, 500 ms apart. */
export async function rssMb(pid: number): Promise<number> {
  let max = 0;
  for (let i = 0; i < 5; i++) {
    await new Promise((r) => setTimeout(r, 500));
    const kb = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    max = Math.max(max, kb / 1024);
  }
  return max;
}

/** VmRSS (MB) now, for the stage lines printed along the way. */
export function rssNow(api: Api): string {
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${api.child.pid as number}/status`, 'utf8'))?.[1] ?? 0);
  return `${(kb / 1024).toFixed(0)} MB`;
}
