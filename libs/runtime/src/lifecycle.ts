import { ConfigError } from './env';

/** Anything an app's main() must close on shutdown (a Nest app, a server, a store). */
export interface Closable {
  close(): Promise<unknown>;
}

const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/**
 * Keeps the process alive until SIGINT or SIGTERM, then closes `app` once and resolves with the
 * signal. Ctrl-C in a terminal often delivers the signal twice (to the process group and again
 * from `concurrently`), so repeats are ignored while closing; a third signal exits at once with 130.
 * Listeners stay installed after stopping so a late duplicate signal cannot kill the process.
 */
export function runUntilSignalled(name: string, app: Closable, log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<NodeJS.Signals> {
  // Without a pending timer a Nest application context (no server socket) would exit at once.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  return new Promise((resolve, reject) => {
    let received = 0;
    let stopped = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopped) return;
      received += 1;
      if (received === 3) {
        log(`${name}: ${signal} again, exiting without waiting`);
        process.exit(130);
      }
      if (received > 1) return;
      log(`${name}: ${signal} received, shutting down`);
      app.close().then(
        () => {
          stopped = true;
          clearInterval(keepAlive);
          log(`${name}: stopped`);
          resolve(signal);
        },
        (err: unknown) => {
          stopped = true;
          clearInterval(keepAlive);
          reject(err);
        },
      );
    };
    for (const s of SIGNALS) process.on(s, onSignal);
  });
}

/** Codes of failures that are the configuration's fault, raised past the config loaders (resilience settings, provider settings). */
const CONFIGURATION_CODES: ReadonlySet<string> = new Set(['RESILIENCE_CONFIG_INVALID', 'KMS_MISCONFIGURED']);

/**
 * For an app's main(): reports why start-up failed and exits. A ConfigError prints one line per
 * bad variable and exits 2 (a configuration error, not a crash), as do the provider's and the
 * resilience policy's configuration errors (`KMS_MISCONFIGURED`, `RESILIENCE_CONFIG_INVALID`);
 * anything else prints its stable code when it has one and exits 1.
 */
export function exitOnStartupFailure(app: string): (error: unknown) => never {
  return (error) => {
    if (error instanceof ConfigError) {
      for (const problem of error.problems) process.stderr.write(`${app}: invalid configuration: ${problem}\n`);
      process.exit(2);
    }
    const code = (error as { code?: unknown } | null)?.code;
    process.stderr.write(`${app} failed: ${typeof code === 'string' ? `${code}: ` : ''}${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(typeof code === 'string' && CONFIGURATION_CODES.has(code) ? 2 : 1);
  };
}
