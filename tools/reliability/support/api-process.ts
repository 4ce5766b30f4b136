/** The built API (dist/apps/api) as a child process, with its stdout and stderr kept for scans. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

export const WORKSPACE = resolve(__dirname, '../../..');
export const API_MAIN = join(WORKSPACE, 'dist/apps/api/apps/api/src/main.js');

/** A running (or exited) API process. */
export interface ApiProcess {
  readonly base: string;
  readonly port: number;
  readonly child: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Whether the process has exited (and with what). */
  exited(): { code: number | null; signal: NodeJS.Signals | null } | null;
  /** SIGKILL and wait for the exit. */
  kill(): Promise<void>;
  /** SIGTERM (graceful shutdown) and wait for the exit. */
  stop(): Promise<void>;
}

/** A free TCP port on the loopback interface (picked by the OS, then released). */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

/** Starts the built API with `env` on top of a minimal environment; resolves once it listens. */
export async function startApiProcess(env: Record<string, string>, timeoutMs = 30_000): Promise<ApiProcess> {
  if (!existsSync(API_MAIN)) throw new Error(`${API_MAIN} is missing: run npx nx build api first`);
  const port = await freePort();
  const child = spawn(process.execPath, ['-r', './tools/scripts/register-paths.cjs', API_MAIN], {
    cwd: WORKSPACE,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const chunks: string[] = [];
  child.stdout?.on('data', (d: Buffer) => chunks.push(d.toString('utf8')));
  child.stderr?.on('data', (d: Buffer) => chunks.push(d.toString('utf8')));
  let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  const exitedPromise = new Promise<void>((done) => child.once('exit', (code, signal) => ((exit = { code, signal }), done())));
  const output = () => chunks.join('');
  await waitUntil(() => output().includes('keyledger-api listening on') || exit !== null, timeoutMs);
  if (exit !== null || !output().includes('listening')) {
    child.kill('SIGKILL');
    throw new Error(`the API did not start (exit ${JSON.stringify(exit)}):\n${output().slice(-3000)}`);
  }
  const end = async (signal: NodeJS.Signals) => {
    if (exit === null) child.kill(signal);
    await exitedPromise;
  };
  return { base: `http://127.0.0.1:${port}`, port, child, output, exited: () => exit, kill: () => end('SIGKILL'), stop: () => end('SIGTERM') };
}

/** Polls `check` every 20 ms until it holds or `timeoutMs` passes. */
export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, intervalMs = 20): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  return check();
}

/** Starts the built API with `env` and waits for it to exit (it must not start listening); resolves with its exit code and output. */
export async function runApiUntilExit(env: Record<string, string>, timeoutMs = 30_000): Promise<{ code: number | null; output: string; listened: boolean }> {
  if (!existsSync(API_MAIN)) throw new Error(`${API_MAIN} is missing: run npx nx build api first`);
  const port = await freePort();
  const child = spawn(process.execPath, ['-r', './tools/scripts/register-paths.cjs', API_MAIN], {
    cwd: WORKSPACE,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const chunks: string[] = [];
  child.stdout?.on('data', (d: Buffer) => chunks.push(d.toString('utf8')));
  child.stderr?.on('data', (d: Buffer) => chunks.push(d.toString('utf8')));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((done) => child.once('exit', (c) => done(c)));
  clearTimeout(timer);
  const output = chunks.join('');
  return { code, output, listened: output.includes('keyledger-api listening on') };
}
