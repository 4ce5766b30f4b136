import { parseArgs } from 'node:util';
import { faultFlags, FAULT_FLAG_OPTIONS, DEFAULT_PORT } from './args';

export const FAULT_USAGE = `kms-test-server fault control

  fault.ts [--url URL] show                 current fault settings
  fault.ts [--url URL] stats                requests seen and faults injected
  fault.ts [--url URL] clear                no faults, no latency
  fault.ts [--url URL] set MODE [--latency-ms N] [--jitter-ms N] [--fail-next N] [--fault-operations A,B]
      MODE: none | throttle | internal-error | unavailable | access-denied | disabled-key |
            connection-reset | black-hole   (set replaces all settings)

  URL defaults to $KMS_TEST_SERVER_URL or http://127.0.0.1:${DEFAULT_PORT}
`;

export interface FaultCommandIo {
  readonly write: (text: string) => void;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Runs the fault CLI against a server's admin endpoint; returns the process exit code. */
export async function runFaultCommand(argv: readonly string[], io: FaultCommandIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: { url: { type: 'string' }, help: { type: 'boolean', short: 'h' }, ...FAULT_FLAG_OPTIONS }, allowPositionals: true, strict: true });
  } catch (error) {
    io.write(`${(error as Error).message}\n${FAULT_USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const base = values.url ?? io.env?.['KMS_TEST_SERVER_URL'] ?? `http://127.0.0.1:${DEFAULT_PORT}`;
  const [command, mode] = positionals;
  if (values.help || command === undefined) {
    io.write(FAULT_USAGE);
    return values.help ? 0 : 2;
  }
  const request = requestFor(command, mode, values);
  if (typeof request === 'string') {
    io.write(`${request}\n${FAULT_USAGE}`);
    return 2;
  }
  const response = await fetch(`${base}${request.path}`, { method: request.method, body: request.body, headers: { 'content-type': 'application/json' } });
  io.write(`${await response.text()}\n`);
  return response.ok ? 0 : 1;
}

function requestFor(command: string, mode: string | undefined, values: Record<string, string | boolean | undefined>): { method: string; path: string; body?: string } | string {
  switch (command) {
    case 'show':
      return { method: 'GET', path: '/__admin/faults' };
    case 'stats':
      return { method: 'GET', path: '/__admin/stats' };
    case 'clear':
      return { method: 'DELETE', path: '/__admin/faults' };
    case 'set':
      if (mode === undefined) return 'set needs a MODE';
      try {
        return { method: 'PUT', path: '/__admin/faults', body: JSON.stringify(faultFlags(values, mode)) };
      } catch (error) {
        return (error as Error).message;
      }
    default:
      return `unknown command ${command}`;
  }
}
