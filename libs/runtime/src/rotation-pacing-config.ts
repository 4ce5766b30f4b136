import { envVar, intInRange } from './env';

/**
 * The rotation pacing both apps read, one definition: the scheduler paces its nightly run with it
 * and the API its rotate-all jobs, so one value caps each against the provider's quota.
 */
export const rotationPacingVars = {
  rotationMaxPerMinute: envVar('KMS_ROTATION_MAX_PER_MINUTE', intInRange(1, 100_000), 'rotations per minute 1..100000'),
};

/** Default of the shared pacing: 600 rotation starts a minute (10 a second). */
export const ROTATION_PACING_DEFAULTS = { rotationMaxPerMinute: '600' } as const;
