import { booleanSchema, enumSchema, envVar, portSchema, readEnv, textSchema } from './env';

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
  });
  return values as KeyledgerConfig;
}
