import { booleanSchema, envVar, readEnv } from '@keyledger/runtime';

/** Observability settings of the API read from the environment, beside the runtime config. */
export interface ApiObservabilityConfig {
  /** METRICS_TENANT_LABEL: label `kms_errors_total` by tenant (default true). */
  readonly tenantLabel: boolean;
}

const vars = {
  tenantLabel: envVar('METRICS_TENANT_LABEL', booleanSchema, 'true or false; false drops tenant_id from kms_errors_total'),
};

/** Reads the API's observability settings; throws a ConfigError naming a bad variable. */
export function loadObservabilityConfig(env: Readonly<Record<string, string | undefined>> = process.env): ApiObservabilityConfig {
  return readEnv(vars, env, { tenantLabel: 'true' }) as ApiObservabilityConfig;
}
