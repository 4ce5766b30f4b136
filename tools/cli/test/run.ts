import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { runCli } from '../src/cli';
import { ROOT } from './api-process';

/** What one CLI run produced. */
export interface Run {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** Runs the CLI in this process (real HTTP to the API), capturing its output. */
export async function cli(argv: readonly string[], env: Record<string, string | undefined>, errIsTty = false): Promise<Run> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (t) => (out += t), err: (t) => (err += t), errIsTty }, env);
  return { code, out, err };
}

/** Runs the real executable `tools/cli/bin/keyledger` (bash → tsx → main.ts) as a child process. */
export function spawnCli(argv: readonly string[], env: Record<string, string>, cwd = ROOT): Promise<Run> {
  return new Promise((resolve) => {
    execFile(path.join(ROOT, 'tools/cli/bin/keyledger'), [...argv], { cwd, env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, out: stdout, err: stderr });
    });
  });
}
