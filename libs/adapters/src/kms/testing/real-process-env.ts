import { runInThisContext } from 'node:vm';

/**
 * Sets a variable in the real process environment. Jest gives each test file a copy of
 * `process.env`, which native modules (SoftHSM2 reading SOFTHSM2_CONF inside C_Initialize) never
 * see; the worker's own `process` object is reachable from the main context.
 */
export function setRealProcessEnv(name: string, value: string): void {
  const realProcess = runInThisContext('process') as NodeJS.Process;
  realProcess.env[name] = value;
  process.env[name] = value;
}
