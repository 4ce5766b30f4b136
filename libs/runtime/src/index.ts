export { ConfigError, readEnv, envVar, booleanSchema, enumSchema, intInRange, portSchema, textSchema } from './env';
export type { EnvVar } from './env';
export { loadConfig, loadConfigOrExit, KMS_PROVIDERS, EVENT_STORES, NODE_ENVS, LOG_LEVELS } from './keyledger-config';
export type { KeyledgerConfig } from './keyledger-config';
export { runUntilSignalled } from './lifecycle';
export type { Closable } from './lifecycle';
export { loadApiConfig, AUTH_MODES } from './api-config';
export type { ApiConfig } from './api-config';
