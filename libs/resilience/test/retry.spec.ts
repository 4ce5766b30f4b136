import fc from 'fast-check';
import { BreakerOpenError, BulkheadFullError, DeadlineExceededError } from '../src/errors';
import { Retry } from '../src/retry';
import { RESILIENCE_DEFAULTS } from '../src/settings';
import { CallerMistake, ManualClock, TransientError } from './support';

function setup(random: () => number = () => 0.5, overrides: Partial<typeof RESILIENCE_DEFAULTS.retry> = {}) {
  const clock = new ManualClock();
  const sleeps: number[] = [];
  const retry = new Retry({
    ...RESILIENCE_DEFAULTS.retry,
    ...overrides,
    clock,
    random,
    sleep: async (ms) => {
      sleeps.push(ms);
      await clock.advance(ms);
    },
  });
  return { clock, retry, sleeps };
}

function failing(errors: unknown[], then: unknown = 'ok') {
  const attempts: number[] = [];
  const fn = async (attempt: number) => {
    attempts.push(attempt);
    const next = errors.shift();
    if (next !== undefined) throw next;
    return then;
  };
  return { fn, attempts };
}

describe('Retry (3 retries, 100 ms ± 50 ms, 10 s deadline)', () => {
  it('keeps every delay within [50, 150] ms for any random draw', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (r) => {
        const delay = setup(() => r).retry.nextDelay();
        return delay >= 50 && delay <= 150;
      }),
    );
    expect(setup(() => 0).retry.nextDelay()).toBe(50);
    expect(setup(() => 0.5).retry.nextDelay()).toBe(100);
    expect(setup(() => 0.75).retry.nextDelay()).toBe(125);
  });

  it('retries a transient failure up to 3 times, then rethrows the last error unchanged', async () => {
    const { retry, sleeps } = setup();
    const last = new TransientError('4');
    const { fn, attempts } = failing([new TransientError('1'), new TransientError('2'), new TransientError('3'), last]);
    await expect(retry.execute(fn)).rejects.toBe(last);
    expect(attempts).toEqual([1, 2, 3, 4]);
    expect(sleeps).toEqual([100, 100, 100]);
  });

  it('returns the first success', async () => {
    const { retry } = setup();
    const { fn, attempts } = failing([new TransientError('1')], 'signed');
    await expect(retry.execute(fn)).resolves.toBe('signed');
    expect(attempts).toEqual([1, 2]);
  });

  it.each([
    ['a caller mistake', new CallerMistake('invalid ciphertext')],
    ['an open breaker', new BreakerOpenError('kms-signing-key', 4000)],
    ['a full bulkhead', new BulkheadFullError(10, 10)],
    ['a plain error', new Error('bug')],
  ])('never retries %s', async (_label, error) => {
    const { retry, sleeps } = setup();
    const { fn, attempts } = failing([error]);
    await expect(retry.execute(fn)).rejects.toBe(error);
    expect(attempts).toEqual([1]);
    expect(sleeps).toEqual([]);
  });

  it('never retries a breaker rejection even when the classifier would', async () => {
    const clock = new ManualClock();
    const retry = new Retry({ ...RESILIENCE_DEFAULTS.retry, clock, retryOn: () => true, sleep: async () => undefined });
    const { fn, attempts } = failing([new BreakerOpenError('kms-public-key', 10)]);
    await expect(retry.execute(fn)).rejects.toBeInstanceOf(BreakerOpenError);
    expect(attempts).toEqual([1]);
  });

  it('gives up with DEADLINE_EXCEEDED when the next wait would pass the deadline', async () => {
    const { clock, retry, sleeps } = setup(() => 0.5, { maxDurationMs: 1000 });
    const attempts: number[] = [];
    const slow = async (attempt: number) => {
      attempts.push(attempt);
      await clock.advance(400);
      throw new TransientError(`attempt ${attempt}`);
    };
    const error = await retry.execute(slow).catch((e: unknown) => e);
    // 400 fail, wait 100 → 500; 900 fail; 900 + 100 = 1000 is still allowed; 1400 fail, stop.
    expect(attempts).toEqual([1, 2, 3]);
    expect(sleeps).toEqual([100, 100]);
    expect(error).toBeInstanceOf(DeadlineExceededError);
    expect(error).toMatchObject({ code: 'DEADLINE_EXCEEDED', attempts: 3, deadlineMs: 1000 });
    expect((error as DeadlineExceededError).cause).toMatchObject({ message: 'attempt 3' });
  });

  it('sleeps on its clock by default', async () => {
    const clock = new ManualClock();
    const retry = new Retry({ ...RESILIENCE_DEFAULTS.retry, clock, random: () => 0 });
    const { fn, attempts } = failing([new TransientError('1')]);
    const done = retry.execute(fn);
    await clock.advance(49);
    expect(attempts).toEqual([1]);
    await clock.advance(1);
    await expect(done).resolves.toBe('ok');
    expect(attempts).toEqual([1, 2]);
  });

  it('refuses jitter larger than the delay', () => {
    expect(() => new Retry({ ...RESILIENCE_DEFAULTS.retry, jitterMs: 200 })).toThrow(
      'retry.jitterMs=200 must not exceed retry.delayMs=100',
    );
  });
});
