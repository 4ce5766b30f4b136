import { KeyledgerError } from '@keyledger/kms-domain';
import {
  BreakerOpenError,
  BulkheadFullError,
  DeadlineExceededError,
  isBreakerOpenError,
  isResilienceError,
  isTimeoutError,
  ResilienceConfigError,
  TimeoutError,
} from '../src/errors';
import { isPolicyRejection, isTransientFailure } from '../src/classify';
import { validateResiliencePolicyOptions } from '../src/validate';
import { defaultResiliencePolicyOptions } from '../src/settings';

describe('resilience errors', () => {
  it.each([
    [new BreakerOpenError('kms-public-key', 1234), 'BREAKER_OPEN', 'BreakerOpenError'],
    [new TimeoutError(5000), 'TIMEOUT', 'TimeoutError'],
    [new BulkheadFullError(10, 10), 'BULKHEAD_FULL', 'BulkheadFullError'],
    [new DeadlineExceededError(10_000, 3, new Error('x')), 'DEADLINE_EXCEEDED', 'DeadlineExceededError'],
    [new ResilienceConfigError(['bad']), 'RESILIENCE_CONFIG_INVALID', 'ResilienceConfigError'],
  ])('%s has a stable code and is a KeyledgerError', (error, code, name) => {
    expect(error).toBeInstanceOf(KeyledgerError);
    expect(error.code).toBe(code);
    expect(error.name).toBe(name);
    expect(isResilienceError(error)).toBe(true);
  });

  it('guards check the brand and the code, not the class', () => {
    const lookalike = { code: 'BREAKER_OPEN', retryAfterMs: 1 };
    expect(isBreakerOpenError(lookalike)).toBe(false);
    expect(isBreakerOpenError(new BreakerOpenError('a', 1))).toBe(true);
    expect(isTimeoutError(new BreakerOpenError('a', 1))).toBe(false);
    expect(isResilienceError(null)).toBe(false);
  });

  it('the default classifier counts transient errors and our timeouts only', () => {
    expect(isTransientFailure(Object.assign(new Error('throttled'), { transient: true }))).toBe(true);
    expect(isTransientFailure(new TimeoutError(5))).toBe(true);
    expect(isTransientFailure(Object.assign(new Error('denied'), { transient: false }))).toBe(false);
    expect(isTransientFailure(new Error('plain'))).toBe(false);
    expect(isTransientFailure('string')).toBe(false);
    expect(isPolicyRejection(new BulkheadFullError(1, 0))).toBe(true);
    expect(isPolicyRejection(new TimeoutError(5))).toBe(false);
  });

  it('validates programmatic options with every problem listed', () => {
    const o = defaultResiliencePolicyOptions('Bad Name');
    expect(() =>
      validateResiliencePolicyOptions({ ...o, bulkhead: { maxConcurrent: 0, maxQueue: -1 } }),
    ).toThrow(
      [
        'name="Bad Name" must be lowercase words joined by hyphens',
        'bulkhead.maxConcurrent=0 must be a whole number from 1 to 100000',
        'bulkhead.maxQueue=-1 must be a whole number from 0 to 100000',
      ].join('\n'),
    );
  });
});
