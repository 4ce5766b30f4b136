import { envVar, intInRange, readEnv } from '@keyledger/runtime';

/** Break-glass settings of the API (see docs/configuration.md). */
export interface BreakGlassConfig {
  /** BREAKGLASS_MIN_OUTAGE_MINUTES: how long the signing provider must have been down before a session may be requested. */
  readonly minOutageMinutes: number;
}

const vars = {
  minOutageMinutes: envVar('BREAKGLASS_MIN_OUTAGE_MINUTES', intInRange(0, 10_080), 'whole minutes 0..10080, e.g. 30'),
};

/** Reads BREAKGLASS_MIN_OUTAGE_MINUTES (0..10080, default 30); a bad value stops the start with a clear message. */
export function loadBreakGlassConfig(env: Readonly<Record<string, string | undefined>> = process.env): BreakGlassConfig {
  return readEnv(vars, env, { minOutageMinutes: '30' }) as BreakGlassConfig;
}
