import { booleanSchema, envVar, portSchema, readEnv } from '@keyledger/runtime';

/** The scheduler's observability settings, read from the environment beside the runtime config. */
export interface SchedulerObservabilityConfig {
  /** SCHEDULER_PORT: where /metrics and /health/live are served (default 8081). */
  readonly httpPort: number;
  /** METRICS_TENANT_LABEL: label `kms_errors_total` by tenant (default true). */
  readonly tenantLabel: boolean;
}

const vars = {
  httpPort: envVar('SCHEDULER_PORT', portSchema, 'a TCP port 1-65535 for /metrics, e.g. SCHEDULER_PORT=8081'),
  tenantLabel: envVar('METRICS_TENANT_LABEL', booleanSchema, 'true or false; false drops tenant_id from kms_errors_total'),
};

/** Reads the scheduler's observability settings; throws a ConfigError naming a bad variable. */
export function loadSchedulerObservabilityConfig(env: Readonly<Record<string, string | undefined>> = process.env): SchedulerObservabilityConfig {
  return readEnv(vars, env, { httpPort: '8081', tenantLabel: 'true' }) as SchedulerObservabilityConfig;
}
