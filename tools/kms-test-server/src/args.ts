import { parseArgs } from 'node:util';
import { parseFaultSettings } from './faults';
import type { KmsTestServerOptions } from './server';

/** Port used when `--port` is not given (documented in docs/kms-test-server.md). */
export const DEFAULT_PORT = 4599;
export const DEFAULT_ALIAS = 'alias/keyledger-master';

export const SERVER_USAGE = `kms-test-server: a loopback AWS KMS (JSON 1.1) with real crypto and switchable faults

  --port N              listen port (default ${DEFAULT_PORT}; 0 picks a free one)
  --host H              listen address (default 127.0.0.1)
  --region R            region in ARNs (default us-east-1)
  --alias NAME          create a symmetric key with this alias (repeatable; default ${DEFAULT_ALIAS})
  --fault MODE          none | throttle | internal-error | unavailable | access-denied | disabled-key |
                        connection-reset | black-hole
  --latency-ms N        fixed delay before every KMS answer
  --jitter-ms N         extra random delay 0..N ms
  --fail-next N         apply --fault to the next N calls only, then recover
  --fault-operations L  comma-separated operations the fault applies to (default all)
`;

const integer = (value: string | undefined, name: string): number | undefined => {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new TypeError(`${name} must be a non-negative integer`);
  return Number(value);
};

/** Parses the fault flags shared by the server and the fault CLI. */
export function faultFlags(values: Record<string, string | boolean | string[] | undefined>, mode: unknown) {
  const operations = typeof values['fault-operations'] === 'string' ? values['fault-operations'].split(',').filter(Boolean) : [];
  return parseFaultSettings({
    mode: mode ?? 'none',
    latencyMs: integer(values['latency-ms'] as string | undefined, '--latency-ms') ?? 0,
    jitterMs: integer(values['jitter-ms'] as string | undefined, '--jitter-ms') ?? 0,
    failNext: integer(values['fail-next'] as string | undefined, '--fail-next') ?? null,
    operations,
  });
}

export const FAULT_FLAG_OPTIONS = {
  'latency-ms': { type: 'string' },
  'jitter-ms': { type: 'string' },
  'fail-next': { type: 'string' },
  'fault-operations': { type: 'string' },
} as const;

/** Turns the server's command line into start options; `help` when usage was asked for. */
export function parseServerArgs(argv: readonly string[]): KmsTestServerOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      region: { type: 'string' },
      alias: { type: 'string', multiple: true },
      fault: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      ...FAULT_FLAG_OPTIONS,
    },
    strict: true,
  });
  if (values.help) return 'help';
  return {
    port: integer(values.port, '--port') ?? DEFAULT_PORT,
    host: values.host ?? '127.0.0.1',
    region: values.region ?? 'us-east-1',
    aliases: values.alias ?? [DEFAULT_ALIAS],
    faults: faultFlags(values, values.fault),
  };
}
