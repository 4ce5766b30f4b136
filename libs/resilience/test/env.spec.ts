import { resilienceEnvVariables, resiliencePolicyOptionsFromEnv } from '../src/env';
import { ResilienceConfigError } from '../src/errors';
import { ResiliencePolicy } from '../src/policy';
import { defaultResiliencePolicyOptions } from '../src/settings';

function problems(env: Record<string, string>, name = 'kms-signing-key'): string[] {
  try {
    resiliencePolicyOptionsFromEnv(name, env);
  } catch (error) {
    if (error instanceof ResilienceConfigError) return [...error.problems];
    throw error;
  }
  throw new Error('expected a configuration error');
}

describe('resiliencePolicyOptionsFromEnv', () => {
  it("takes the seeds' defaults from an empty environment", () => {
    expect(resiliencePolicyOptionsFromEnv('kms-signing-key', {})).toEqual({
      name: 'kms-signing-key',
      breaker: { requestVolumeThreshold: 10, failureRatio: 0.5, delayMs: 5000, successThreshold: 3, halfOpenMaxCalls: 3 },
      retry: { maxRetries: 3, delayMs: 100, jitterMs: 50, maxDurationMs: 10_000 },
      timeout: { timeoutMs: 5000 },
      bulkhead: { maxConcurrent: 10, maxQueue: 10 },
    });
  });

  it('prefers the per-breaker variable, then the shared one, then the default', () => {
    const env = {
      CB_KMS_SIGNING_KEY_REQUEST_VOLUME_THRESHOLD: '20',
      CB_REQUEST_VOLUME_THRESHOLD: '30',
      CB_FAILURE_RATIO: '0.25',
      CB_KMS_PUBLIC_KEY_DELAY_MS: '9999',
      CB_KMS_SIGNING_KEY_SUCCESS_THRESHOLD: '',
      RETRY_MAX_RETRIES: '1',
      TIMEOUT_KMS_SIGNING_KEY_MS: '2500',
      BULKHEAD_MAX_CONCURRENT: '4',
      BULKHEAD_KMS_SIGNING_KEY_MAX_QUEUE: '0',
    };
    const o = resiliencePolicyOptionsFromEnv('kms-signing-key', env);
    expect(o.breaker).toEqual({ requestVolumeThreshold: 20, failureRatio: 0.25, delayMs: 5000, successThreshold: 3, halfOpenMaxCalls: 3 });
    expect(o.retry.maxRetries).toBe(1);
    expect(o.timeout.timeoutMs).toBe(2500);
    expect(o.bulkhead).toEqual({ maxConcurrent: 4, maxQueue: 0 });
    expect(resiliencePolicyOptionsFromEnv('kms-public-key', env).breaker).toMatchObject({ requestVolumeThreshold: 30, delayMs: 9999 });
    expect(() => new ResiliencePolicy(o)).not.toThrow();
  });

  it('lists every bad variable at once, naming it, its value and the expected form', () => {
    expect(
      problems({
        CB_KMS_SIGNING_KEY_FAILURE_RATIO: '1.5',
        CB_DELAY_MS: '5s',
        RETRY_MAX_RETRIES: '-1',
        TIMEOUT_MS: '0',
        BULKHEAD_MAX_CONCURRENT: ' 4',
      }),
    ).toEqual([
      'CB_KMS_SIGNING_KEY_FAILURE_RATIO="1.5" is not above 0 and at most 1; expected a decimal above 0 and at most 1, e.g. 0.5',
      'CB_DELAY_MS="5s" is not a whole number; expected milliseconds 0..3600000',
      'RETRY_MAX_RETRIES="-1" is not a whole number; expected a whole number 0..100',
      'TIMEOUT_MS="0" is outside 1..3600000; expected milliseconds 1..3600000',
      'BULKHEAD_MAX_CONCURRENT=" 4" is not a whole number; expected a whole number 1..100000',
    ]);
  });

  it('refuses jitter above the retry delay, naming where each value came from', () => {
    expect(problems({ RETRY_KMS_SIGNING_KEY_JITTER_MS: '150' })).toEqual([
      'RETRY_KMS_SIGNING_KEY_JITTER_MS=150 exceeds default of RETRY_DELAY_MS=100; jitter must not exceed the retry delay',
    ]);
  });

  it('refuses a breaker name that cannot form a variable name', () => {
    expect(problems({}, 'KMS signing')).toEqual(['breaker name "KMS signing" must be lowercase words joined by hyphens']);
  });

  it('documents each variable with its default', () => {
    const vars = resilienceEnvVariables('kms-encryption-key');
    expect(vars.map((v) => v.perBreaker)).toContain('CB_KMS_ENCRYPTION_KEY_REQUEST_VOLUME_THRESHOLD');
    expect(vars.find((v) => v.shared === 'TIMEOUT_MS')).toMatchObject({ perBreaker: 'TIMEOUT_KMS_ENCRYPTION_KEY_MS', defaultValue: 5000 });
    expect(vars).toHaveLength(12);
  });

  it('matches the programmatic defaults', () => {
    expect(resiliencePolicyOptionsFromEnv('kms-public-key', {})).toEqual(defaultResiliencePolicyOptions('kms-public-key'));
  });
});
