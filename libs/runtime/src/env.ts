import { z } from 'zod';

/** One environment variable: how to parse it, its default, and the form an operator should use. */
export interface EnvVar<T> {
  readonly name: string;
  readonly schema: z.ZodType<T>;
  /** The expected form, shown in the error when the value does not parse. */
  readonly expected: string;
  /** Secrets are never echoed back in an error message. */
  readonly secret?: boolean;
}

/** A bad configuration value. The message is one line per bad variable, safe to print. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

export function envVar<T>(name: string, schema: z.ZodType<T>, expected: string, secret = false): EnvVar<T> {
  return { name, schema, expected, secret };
}

export const portSchema = z.coerce
  .number({ message: 'is not a number' })
  .int({ message: 'is not a whole number' })
  .min(1, { message: 'is below 1' })
  .max(65535, { message: 'is above 65535' });

export const booleanSchema = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'is not a boolean' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

export function enumSchema<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { message: `is not one of ${values.join(', ')}` });
}

export function intInRange(min: number, max: number) {
  return z.coerce
    .number({ message: 'is not a number' })
    .int({ message: 'is not a whole number' })
    .min(min, { message: `is below ${min}` })
    .max(max, { message: `is above ${max}` });
}

/** A non-empty string without surrounding whitespace. */
export const textSchema = z
  .string()
  .min(1, { message: 'is empty' })
  .refine((v) => v.trim() === v, { message: 'has leading or trailing spaces' });

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads each variable; an unset or empty variable takes `defaults[name]` when given, else stays
 * undefined. Collects every problem before throwing so an operator fixes them in one go.
 */
export function readEnv<V extends Record<string, EnvVar<unknown>>>(
  vars: V,
  env: Env,
  defaults: Partial<Record<keyof V, string>> = {},
): { [K in keyof V]: V[K] extends EnvVar<infer T> ? T : never } {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, spec] of Object.entries(vars)) {
    const raw = env[spec.name];
    const value = raw === undefined || raw === '' ? defaults[key as keyof V] : raw;
    if (value === undefined) {
      out[key] = undefined;
      continue;
    }
    const parsed = spec.schema.safeParse(value);
    if (parsed.success) {
      out[key] = parsed.data;
    } else {
      const shown = spec.secret ? '(value hidden)' : JSON.stringify(value);
      const problem = parsed.error.issues[0]?.message ?? 'is invalid';
      problems.push(`${spec.name}=${shown} ${problem}; expected ${spec.expected}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return out as { [K in keyof V]: V[K] extends EnvVar<infer T> ? T : never };
}
