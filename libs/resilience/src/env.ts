import { z } from 'zod';
import { ResilienceConfigError } from './errors';
import { BREAKER_NAME_PATTERN, RESILIENCE_DEFAULTS, type ResiliencePolicyOptions } from './settings';

type Env = Readonly<Record<string, string | undefined>>;
type Group = 'CB' | 'RETRY' | 'TIMEOUT' | 'BULKHEAD';

interface Param {
  readonly group: Group;
  /** Suffix after the group (and the breaker name): `CB_<NAME>_DELAY_MS`. */
  readonly suffix: string;
  readonly schema: z.ZodType<number, string>;
  readonly expected: string;
  readonly read: (defaults: typeof RESILIENCE_DEFAULTS) => number;
}

function whole(min: number, max: number): z.ZodType<number, string> {
  return z
    .string()
    .regex(/^\d+$/, { message: 'is not a whole number' })
    .transform(Number)
    .refine((v) => v >= min && v <= max, { message: `is outside ${min}..${max}` });
}

const ratio: z.ZodType<number, string> = z
  .string()
  .regex(/^(?:\d+\.?\d*|\.\d+)$/, { message: 'is not a decimal number' })
  .transform(Number)
  .refine((v) => v > 0 && v <= 1, { message: 'is not above 0 and at most 1' });

function param(group: Group, suffix: string, schema: z.ZodType<number, string>, expected: string, read: Param['read']): Param {
  return { group, suffix, schema, expected, read };
}

const MS = (max: number) => `milliseconds 0..${max}`;

/** Every parameter, keyed by the field it fills. */
const PARAMS = {
  requestVolumeThreshold: param('CB', 'REQUEST_VOLUME_THRESHOLD', whole(1, 10_000), 'a whole number 1..10000', (d) => d.breaker.requestVolumeThreshold),
  failureRatio: param('CB', 'FAILURE_RATIO', ratio, 'a decimal above 0 and at most 1, e.g. 0.5', (d) => d.breaker.failureRatio),
  breakerDelayMs: param('CB', 'DELAY_MS', whole(0, 3_600_000), MS(3_600_000), (d) => d.breaker.delayMs),
  successThreshold: param('CB', 'SUCCESS_THRESHOLD', whole(1, 10_000), 'a whole number 1..10000', (d) => d.breaker.successThreshold),
  halfOpenMaxCalls: param('CB', 'HALF_OPEN_MAX_CALLS', whole(1, 10_000), 'a whole number 1..10000', (d) => d.breaker.halfOpenMaxCalls),
  maxRetries: param('RETRY', 'MAX_RETRIES', whole(0, 100), 'a whole number 0..100', (d) => d.retry.maxRetries),
  retryDelayMs: param('RETRY', 'DELAY_MS', whole(0, 600_000), MS(600_000), (d) => d.retry.delayMs),
  jitterMs: param('RETRY', 'JITTER_MS', whole(0, 600_000), `${MS(600_000)}, at most the retry delay`, (d) => d.retry.jitterMs),
  maxDurationMs: param('RETRY', 'MAX_DURATION_MS', whole(1, 3_600_000), 'milliseconds 1..3600000', (d) => d.retry.maxDurationMs),
  timeoutMs: param('TIMEOUT', 'MS', whole(1, 3_600_000), 'milliseconds 1..3600000', (d) => d.timeout.timeoutMs),
  maxConcurrent: param('BULKHEAD', 'MAX_CONCURRENT', whole(1, 100_000), 'a whole number 1..100000', (d) => d.bulkhead.maxConcurrent),
  maxQueue: param('BULKHEAD', 'MAX_QUEUE', whole(0, 100_000), 'a whole number 0..100000', (d) => d.bulkhead.maxQueue),
};

type Key = keyof typeof PARAMS;

/** `kms-signing-key` → `KMS_SIGNING_KEY`, the form the name takes inside variable names. */
export function breakerEnvToken(name: string): string {
  return name.toUpperCase().replace(/-/g, '_');
}

/** One configurable parameter: the per-breaker variable, the shared one, and the built-in default. */
export interface ResilienceEnvVariable {
  readonly perBreaker: string;
  readonly shared: string;
  readonly defaultValue: number;
  readonly expected: string;
}

/** Every variable read for breaker `name`, in lookup order; for docs and admin output. */
export function resilienceEnvVariables(name: string): ResilienceEnvVariable[] {
  const token = breakerEnvToken(name);
  return Object.values(PARAMS).map((p) => ({
    perBreaker: `${p.group}_${token}_${p.suffix}`,
    shared: `${p.group}_${p.suffix}`,
    defaultValue: p.read(RESILIENCE_DEFAULTS),
    expected: p.expected,
  }));
}

/**
 * Options for policy `name` from the environment (pure: pass `process.env` or a test record).
 * Each parameter is taken from `<GROUP>_<NAME>_<PARAM>` (e.g. `CB_KMS_SIGNING_KEY_DELAY_MS`),
 * else `<GROUP>_<PARAM>` (e.g. `CB_DELAY_MS`, `TIMEOUT_MS`), else the seeds' default. Throws
 * {@link ResilienceConfigError} listing every bad variable at once.
 */
export function resiliencePolicyOptionsFromEnv(name: string, env: Env): ResiliencePolicyOptions {
  if (!BREAKER_NAME_PATTERN.test(name)) {
    throw new ResilienceConfigError([`breaker name ${JSON.stringify(name)} must be lowercase words joined by hyphens`]);
  }
  const token = breakerEnvToken(name);
  const values = {} as Record<Key, number>;
  const source = {} as Record<Key, string>;
  const problems: string[] = [];
  for (const key of Object.keys(PARAMS) as Key[]) {
    const p = PARAMS[key];
    const candidates = [`${p.group}_${token}_${p.suffix}`, `${p.group}_${p.suffix}`];
    const variable = candidates.find((v) => (env[v] ?? '') !== '');
    values[key] = p.read(RESILIENCE_DEFAULTS);
    source[key] = variable ?? `default of ${candidates[1]}`;
    if (variable === undefined) continue;
    const raw = env[variable] as string;
    const parsed = p.schema.safeParse(raw);
    if (parsed.success) values[key] = parsed.data;
    else problems.push(`${variable}=${JSON.stringify(raw)} ${parsed.error.issues[0]?.message ?? 'is invalid'}; expected ${p.expected}`);
  }
  if (problems.length === 0 && values.jitterMs > values.retryDelayMs) {
    problems.push(`${source.jitterMs}=${values.jitterMs} exceeds ${source.retryDelayMs}=${values.retryDelayMs}; jitter must not exceed the retry delay`);
  }
  if (problems.length > 0) throw new ResilienceConfigError(problems);
  return toOptions(name, values);
}

function toOptions(name: string, v: Record<Key, number>): ResiliencePolicyOptions {
  return {
    name,
    breaker: {
      requestVolumeThreshold: v.requestVolumeThreshold,
      failureRatio: v.failureRatio,
      delayMs: v.breakerDelayMs,
      successThreshold: v.successThreshold,
      halfOpenMaxCalls: v.halfOpenMaxCalls,
    },
    retry: { maxRetries: v.maxRetries, delayMs: v.retryDelayMs, jitterMs: v.jitterMs, maxDurationMs: v.maxDurationMs },
    timeout: { timeoutMs: v.timeoutMs },
    bulkhead: { maxConcurrent: v.maxConcurrent, maxQueue: v.maxQueue },
  };
}
