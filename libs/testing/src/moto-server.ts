import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { motoPython } from './system-component';

/** A moto server on loopback: its endpoint URL and a stop that waits for the process to exit. */
export interface MotoServer {
  readonly url: string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => ok(port));
    });
  });
}

/**
 * Starts `python3 -m moto.server` (with the interpreter that has moto) on a free loopback port and waits until it answers HTTP.
 * moto keeps its state in memory: every server starts empty.
 */
export async function startMotoServer(timeoutMs = 30_000): Promise<MotoServer> {
  const port = await freePort();
  const python = motoPython();
  if (python === null) throw new Error('moto is not installed for any python3 on PATH (pip install "moto[server]>=5", or set MOTO_PYTHON)');
  const child = spawn(python, ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let output = '';
  child.stderr?.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  const stop = (): Promise<void> =>
    child.exitCode !== null || child.signalCode !== null
      ? Promise.resolve()
      : new Promise((done) => {
          child.once('exit', () => done());
          child.kill('SIGTERM');
        });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto server exited with ${child.exitCode}: ${output}`);
    try {
      await fetch(`${url}/moto-api/`);
      return { url, stop };
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  await stop();
  throw new Error(`moto server did not answer on ${url} within ${timeoutMs} ms: ${output}`);
}
