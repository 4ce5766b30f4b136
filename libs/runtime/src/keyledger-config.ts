import { join } from 'node:path';
import { booleanSchema, enumSchema, envVar, intInRange, portSchema, readEnv, textSchema } from './env';

export const KMS_PROVIDERS = ['local', 'aws', 'pkcs11'] as const;
export const EVENT_STORES = ['embedded', 'esdb'] as const;
export const NODE_ENVS = ['development', 'test', 'production'] as const;
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const vars = {
  nodeEnv: envVar('NODE_ENV', enumSchema(NODE_ENVS), `one of ${NODE_ENVS.join(', ')}`),
  port: envVar('PORT', portSchema, 'a TCP port 1-65535, e.g. PORT=8080'),
  host: envVar('HOST', textSchema, 'an interface address or host name, e.g. HOST=127.0.0.1'),
  dataDir: envVar('KEYLEDGER_DATA_DIR', textSchema, 'a directory path, e.g. KEYLEDGER_DATA_DIR=./data'),
  kmsProvider: envVar('KMS_PROVIDER', enumSchema(KMS_PROVIDERS), `one of ${KMS_PROVIDERS.join(', ')}`),
  eventStore: envVar('EVENTSTORE', enumSchema(EVENT_STORES), `one of ${EVENT_STORES.join(', ')}`),
  requireKms: envVar('REQUIRE_KMS', booleanSchema, 'true or false'),
  logLevel: envVar('LOG_LEVEL', enumSchema(LOG_LEVELS), `one of ${LOG_LEVELS.join(', ')}`),
  viewsFile: envVar('VIEWS_FILE', textSchema, 'a file path, e.g. VIEWS_FILE=./data/keyledger-views.sqlite'),
  viewsCacheSize: envVar('VIEWS_CACHE_SIZE', intInRange(1, 10_000_000), 'whole entries 1..10000000'),
  viewsMaxLagEvents: envVar('VIEWS_MAX_LAG_EVENTS', intInRange(1, 1_000_000_000), 'whole events, e.g. VIEWS_MAX_LAG_EVENTS=10000'),
  breakGlassRequestTtlMinutes: envVar('BREAKGLASS_REQUEST_TTL_MINUTES', intInRange(1, 10_080), 'whole minutes 1..10080, e.g. 60'),
  breakGlassOutageLeaseSeconds: envVar('BREAKGLASS_OUTAGE_LEASE_SECONDS', intInRange(3, 3600), 'whole seconds 3..3600, e.g. 60'),
};

export type KeyledgerConfig = {
  readonly nodeEnv: (typeof NODE_ENVS)[number];
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly kmsProvider: (typeof KMS_PROVIDERS)[number];
  readonly eventStore: (typeof EVENT_STORES)[number];
  /** Fail closed: refuse the local development provider. Defaults to true in production. */
  readonly requireKms: boolean;
  readonly logLevel: (typeof LOG_LEVELS)[number];
  /** The read-model file (status views) of this instance: default `keyledger-views.sqlite` in the data directory. */
  readonly viewsFile: string;
  /** Rows per read-model table kept in memory by the point-read cache. */
  readonly viewsCacheSize: number;
  /** Readiness goes down when the views trail the store by more than this many events. */
  readonly viewsMaxLagEvents: number;
  /** A break-glass request not approved within this many minutes expires. */
  readonly breakGlassRequestTtlMinutes: number;
  /** A recorded signing outage counts for break-glass only this long after its instance last confirmed it (renewed every third). */
  readonly breakGlassOutageLeaseSeconds: number;
};

/**
 * Reads and validates keyledger's configuration from the environment. Throws a ConfigError
 * whose message names each bad variable, what is wrong with it and the expected form.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): KeyledgerConfig {
  const { nodeEnv } = readEnv({ nodeEnv: vars.nodeEnv }, env, { nodeEnv: 'development' });
  const production = nodeEnv === 'production';
  const values = readEnv(vars, env, {
    nodeEnv: 'development',
    port: '8080',
    host: '127.0.0.1',
    dataDir: './data',
    kmsProvider: 'local',
    eventStore: 'embedded',
    requireKms: production ? 'true' : 'false',
    logLevel: nodeEnv === 'test' ? 'warn' : 'info',
    viewsFile: join(env.KEYLEDGER_DATA_DIR || './data', 'keyledger-views.sqlite'),
    viewsCacheSize: '10000',
    viewsMaxLagEvents: '10000',
    breakGlassRequestTtlMinutes: '60',
    breakGlassOutageLeaseSeconds: '60',
  });
  return values as KeyledgerConfig;
}
