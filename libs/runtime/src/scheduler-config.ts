import { z } from 'zod';
import { booleanSchema, envVar, intInRange, readEnv } from './env';
import { ROTATION_PACING_DEFAULTS, rotationPacingVars } from './rotation-pacing-config';

/** Five or six space-separated cron fields (the scheduler checks the expression itself at start). */
const cronSchema = z
  .string()
  .trim()
  .refine((v) => /^\S+(\s+\S+){4,5}$/.test(v), { message: 'is not a cron expression of 5 or 6 fields' });

/** One witness of AUDIT_WITNESSES: its submission URL and cosigner verifier key. */
export interface AuditWitnessSetting {
  readonly url: string;
  readonly vkey: string;
}

const VKEY = /^[^\s+]+\+[0-9a-f]{8}\+[A-Za-z0-9+/]+=*$/;

/** `<url> <vkey>` pairs separated by commas (empty: no witnesses). */
const witnessesSchema = z.string().transform((v, ctx): AuditWitnessSetting[] => {
  const entries = v.split(',').map((e) => e.trim()).filter((e) => e.length > 0);
  const out: AuditWitnessSetting[] = [];
  for (const [i, entry] of entries.entries()) {
    const [url, vkey, extra] = entry.split(/\s+/);
    if (extra !== undefined || vkey === undefined || !VKEY.test(vkey) || !/^https?:\/\/[^\s]+$/.test(url) || !URL.canParse(url)) {
      ctx.addIssue({ code: 'custom', message: `entry ${i + 1} is not '<http(s) URL> <name>+<hex key ID>+<base64 key>'` });
      return z.NEVER;
    }
    out.push({ url, vkey });
  }
  return out;
});

const vars = {
  rotationEnabled: envVar('KMS_ROTATION_ENABLED', booleanSchema, 'true or false'),
  rotationCron: envVar('KMS_ROTATION_CRON', cronSchema, "a cron expression, e.g. '0 2 * * *' (02:00 UTC daily)"),
  rotationMaxAgeDays: envVar('KMS_ROTATION_MAX_AGE_DAYS', intInRange(1, 3650), 'whole days 1..3650'),
  ...rotationPacingVars,
  rotationJitterPercent: envVar('KMS_ROTATION_JITTER_PERCENT', intInRange(0, 100), 'percent 0..100 of the spacing added at random'),
  deletionCron: envVar('KMS_DELETION_CRON', cronSchema, "a cron expression, e.g. '0 * * * *'"),
  breakGlassExpiryCron: envVar('BREAKGLASS_EXPIRY_CRON', cronSchema, "a cron expression, e.g. '* * * * *'"),
  auditCheckpointIntervalMinutes: envVar('AUDIT_CHECKPOINT_INTERVAL_MINUTES', intInRange(1, 1440), 'whole minutes 1..1440 between audit checkpoints'),
  auditWitnesses: envVar('AUDIT_WITNESSES', witnessesSchema, "comma-separated '<url> <witness vkey>' pairs"),
};

/** The rotation scheduler's job settings; see docs/scheduler.md. */
export interface SchedulerConfig {
  /** KMS_ROTATION_ENABLED: run the nightly rotation job (default true). */
  readonly rotationEnabled: boolean;
  /** KMS_ROTATION_CRON: when the rotation job runs, in UTC (default `0 2 * * *`). */
  readonly rotationCron: string;
  /** KMS_ROTATION_MAX_AGE_DAYS: fleet-wide maximum key age; a key's shorter period wins (default 90). */
  readonly rotationMaxAgeDays: number;
  /** KMS_ROTATION_MAX_PER_MINUTE: cap on rotations started per minute (default 600). */
  readonly rotationMaxPerMinute: number;
  /** KMS_ROTATION_JITTER_PERCENT: random extra spacing between rotations (default 50). */
  readonly rotationJitterPercent: number;
  /** KMS_DELETION_CRON: when keys past their deletion window are destroyed (default hourly). */
  readonly deletionCron: string;
  /** BREAKGLASS_EXPIRY_CRON: when break-glass sessions past their ttl are expired (default every minute). */
  readonly breakGlassExpiryCron: string;
  /** AUDIT_CHECKPOINT_INTERVAL_MINUTES: how often a signed audit checkpoint is added when new events exist (default 15). */
  readonly auditCheckpointIntervalMinutes: number;
  /** AUDIT_WITNESSES: C2SP tlog-witnesses asked to cosign each checkpoint (default none). */
  readonly auditWitnesses: readonly AuditWitnessSetting[];
}

export const SCHEDULER_DEFAULTS = {
  rotationEnabled: 'true',
  rotationCron: '0 2 * * *',
  rotationMaxAgeDays: '90',
  ...ROTATION_PACING_DEFAULTS,
  rotationJitterPercent: '50',
  deletionCron: '0 * * * *',
  breakGlassExpiryCron: '* * * * *',
  auditCheckpointIntervalMinutes: '15',
  auditWitnesses: '',
} as const;

/** Reads and validates the scheduler's settings; a ConfigError names every bad variable. */
export function loadSchedulerConfig(env: Readonly<Record<string, string | undefined>> = process.env): SchedulerConfig {
  return readEnv(vars, env, SCHEDULER_DEFAULTS) as SchedulerConfig;
}
