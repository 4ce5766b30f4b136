import type { BreakerTransition } from '../src/breaker/state';
import { BreakerOpenError, BulkheadFullError, TimeoutError } from '../src/errors';
import { ResiliencePolicy } from '../src/policy';
import { defaultResiliencePolicyOptions, type ResiliencePolicyOptions } from '../src/settings';
import { CallerMistake, flush, ManualClock, settle, TransientError } from './support';

function setup(tweak: (o: ResiliencePolicyOptions) => ResiliencePolicyOptions = (o) => o, sleepAdvances = false) {
  const clock = new ManualClock();
  const transitions: BreakerTransition[] = [];
  const policy = new ResiliencePolicy(tweak(defaultResiliencePolicyOptions('kms-signing-key')), {
    clock,
    random: () => 0.5,
    onTransition: (t) => transitions.push(t),
    ...(sleepAdvances ? { sleep: (ms: number) => clock.advance(ms) } : {}),
  });
  return { clock, policy, transitions };
}

/** Runs `promise` to completion while advancing the manual clock. */
async function drive<T>(clock: ManualClock, promise: Promise<T>, ms = 60_000): Promise<T> {
  const outcome = settle(promise);
  for (let waited = 0; outcome.result() === undefined && waited < ms; waited += 50) await clock.advance(50);
  return promise;
}

describe('ResiliencePolicy: retry ⟶ breaker ⟶ timeout ⟶ bulkhead ⟶ call(signal)', () => {
  it('passes the call a live AbortSignal and returns its value', async () => {
    const { policy } = setup();
    await expect(policy.execute((signal) => (signal.aborted ? 'aborted' : 'signed'))).resolves.toBe('signed');
    expect(policy.breaker.snapshot().window).toMatchObject({ calls: 1, failures: 0 });
  });

  it('counts every attempt, retries included, in the breaker window', async () => {
    const { clock, policy } = setup();
    let calls = 0;
    const error = await drive(
      clock,
      policy.execute(() => {
        calls++;
        throw new TransientError('throttled');
      }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect(calls).toBe(4);
    expect(policy.breaker.snapshot().window).toMatchObject({ calls: 4, failures: 4 });
  });

  it('stops retrying the moment the breaker opens, and rethrows its rejection', async () => {
    const { clock, policy, transitions } = setup();
    for (let i = 0; i < 7; i++) await policy.execute(() => 'ok');
    let calls = 0;
    // Window: 7 successes, then 4 failing attempts: the last 10 hold 4 failures, still closed...
    const first = await drive(clock, policy.execute(() => Promise.reject(new TransientError(`fail ${++calls}`)))).catch(
      (e: unknown) => e,
    );
    expect(calls).toBe(4);
    expect(first).toMatchObject({ message: 'fail 4' });
    expect(policy.breaker.state).toBe('closed');
    // ...the next failing attempt makes 5 of the last 10: the breaker opens, its rejection of the
    // following attempt is not retried.
    const second = await drive(clock, policy.execute(() => Promise.reject(new TransientError(`fail ${++calls}`)))).catch(
      (e: unknown) => e,
    );
    expect(calls).toBe(5);
    expect(second).toBeInstanceOf(BreakerOpenError);
    expect(transitions.map((t) => t.to)).toEqual(['open']);
  });

  it("does not retry or count a caller's mistake", async () => {
    const { policy } = setup();
    let calls = 0;
    const mistake = new CallerMistake('invalid ciphertext');
    await expect(
      policy.execute(() => {
        calls++;
        throw mistake;
      }),
    ).rejects.toBe(mistake);
    expect(calls).toBe(1);
    expect(policy.breaker.snapshot().window).toMatchObject({ calls: 1, failures: 0 });
  });

  it('times an attempt out at 5 s, aborts its signal, counts it, and retries', async () => {
    const { clock, policy } = setup((o) => ({ ...o, retry: { ...o.retry, maxRetries: 1 } }));
    const signals: AbortSignal[] = [];
    const outcome = settle(
      policy.execute((signal) => {
        signals.push(signal);
        return new Promise<never>(() => undefined);
      }),
    );
    await clock.advance(4999);
    expect(signals).toHaveLength(1);
    await clock.advance(1);
    expect(signals[0]?.aborted).toBe(true);
    expect(policy.breaker.snapshot().window).toMatchObject({ calls: 1, failures: 1 });
    await clock.advance(100);
    expect(signals).toHaveLength(2);
    expect(signals[1]?.aborted).toBe(false);
    await clock.advance(5000);
    expect(outcome.result()?.error).toBeInstanceOf(TimeoutError);
    expect(policy.breaker.snapshot().window).toMatchObject({ calls: 2, failures: 2 });
  });

  it('refuses at once beyond the bulkhead queue, without counting it in the breaker', async () => {
    const { clock, policy } = setup((o) => ({ ...o, bulkhead: { maxConcurrent: 1, maxQueue: 1 } }));
    let release!: () => void;
    const busy = policy.execute(() => new Promise<string>((resolve) => (release = () => resolve('first'))));
    const queued = policy.execute(() => 'second');
    const refused = settle(policy.execute(() => 'third'));
    await flush();
    expect(refused.result()?.error).toBeInstanceOf(BulkheadFullError);
    expect(policy.bulkhead.queued).toBe(1);
    release();
    await expect(busy).resolves.toBe('first');
    await expect(queued).resolves.toBe('second');
    expect(policy.breaker.snapshot().window).toMatchObject({ calls: 2, failures: 0 });
    await clock.advance(5000);
  });

  it('counts time spent queued for the bulkhead against the timeout', async () => {
    const { clock, policy } = setup((o) => ({
      ...o,
      retry: { ...o.retry, maxRetries: 0 },
      bulkhead: { maxConcurrent: 1, maxQueue: 1 },
    }));
    let started = 0;
    const hung = settle(policy.execute(() => new Promise<never>(() => started++)));
    await clock.advance(3000);
    const waiting = settle(policy.execute(() => started++));
    await clock.advance(2000);
    expect(hung.result()?.error).toBeInstanceOf(TimeoutError);
    // The hung call ignores its signal, so it keeps its slot; the queued call times out waiting.
    await clock.advance(3000);
    expect(waiting.result()?.error).toBeInstanceOf(TimeoutError);
    expect(started).toBe(1);
    expect(policy.bulkhead.queued).toBe(0);
  });

  it('honours the overall deadline across attempts', async () => {
    const { clock, policy } = setup((o) => ({ ...o, retry: { ...o.retry, maxDurationMs: 1000 } }), true);
    let calls = 0;
    // 0-450 fails, waits 100; 550-1000 fails; another 100 ms wait would pass the 1000 ms deadline.
    const error = await policy
      .execute(async () => {
        calls++;
        await clock.advance(450);
        throw new TransientError('slow failure');
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'DEADLINE_EXCEEDED', attempts: 2 });
    expect(calls).toBe(2);
  });

  it('recovers: half-open after the delay, closed after three successes through the policy', async () => {
    const { clock, policy, transitions } = setup((o) => ({ ...o, retry: { ...o.retry, maxRetries: 0 } }));
    for (let i = 0; i < 10; i++) await policy.execute(() => Promise.reject(new TransientError('down'))).catch(() => 0);
    await expect(policy.execute(() => 'x')).rejects.toMatchObject({ code: 'BREAKER_OPEN', retryAfterMs: 5000 });
    await clock.advance(5000);
    for (let i = 0; i < 3; i++) await policy.execute(() => 'ok');
    expect(transitions.map((t) => `${t.from}->${t.to}`)).toEqual(['closed->open', 'open->half-open', 'half-open->closed']);
  });
});
