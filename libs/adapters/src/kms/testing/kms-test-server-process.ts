import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';

const WORKSPACE = resolve(__dirname, '../../../../..');

export interface KmsTestServerProcess {
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Starts tools/kms-test-server as its own process with the documented command (tsx, port 0) and
 * waits for its "listening on" line. The adapters lib may not import tools code, and a separate
 * process is also the honest shape: the adapter reaches the server over the network only.
 */
export function startKmsTestServerProcess(args: readonly string[] = []): Promise<KmsTestServerProcess> {
  const child = spawn(process.execPath, [require.resolve('tsx/cli'), join(WORKSPACE, 'tools/kms-test-server/src/main.ts'), '--port', '0', ...args], {
    cwd: WORKSPACE,
    env: { ...process.env, TSX_TSCONFIG_PATH: join(WORKSPACE, 'tsconfig.base.json'), AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolvePromise, reject) => {
    let output = '';
    const timer = setTimeout(() => fail(new Error(`kms-test-server did not start in time: ${output}`)), 30_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    child.on('exit', (code) => fail(new Error(`kms-test-server exited with ${String(code)}: ${output}`)));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const url = /listening on (http:\/\/\S+)/.exec(output)?.[1];
      if (url === undefined) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolvePromise({ url, stop: () => stop(child) });
    });
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolvePromise) => {
    child.once('exit', () => resolvePromise());
    child.kill('SIGTERM');
  });
}
