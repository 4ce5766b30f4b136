import { setTimeout as wait } from 'node:timers/promises';
import { isTimeoutError, TimeoutError } from '../src/errors';
import { Timeout } from '../src/timeout';
import { ManualClock, settle } from './support';

function never(signals: AbortSignal[]) {
  return (signal: AbortSignal) => {
    signals.push(signal);
    return new Promise<never>(() => undefined);
  };
}

describe('Timeout (5 s)', () => {
  it('rejects with TIMEOUT at exactly 5000 ms and aborts the call through its signal', async () => {
    const clock = new ManualClock();
    const timeout = new Timeout({ timeoutMs: 5000, clock });
    const signals: AbortSignal[] = [];
    const outcome = settle(timeout.execute(never(signals)));
    await clock.advance(4999);
    expect(outcome.result()).toBeUndefined();
    expect(signals[0]?.aborted).toBe(false);
    await clock.advance(1);
    expect(signals[0]?.aborted).toBe(true);
    expect(isTimeoutError(signals[0]?.reason)).toBe(true);
    expect(outcome.result()?.error).toBeInstanceOf(TimeoutError);
    expect(outcome.result()?.error).toMatchObject({ code: 'TIMEOUT', timeoutMs: 5000 });
  });

  it('lets a call that settles in time keep its value or its error', async () => {
    const clock = new ManualClock();
    const timeout = new Timeout({ timeoutMs: 5000, clock });
    await expect(timeout.execute(async () => 'signed')).resolves.toBe('signed');
    await expect(timeout.execute(() => 42)).resolves.toBe(42);
    const boom = new Error('boom');
    await expect(
      timeout.execute(() => {
        throw boom;
      }),
    ).rejects.toBe(boom);
    await clock.advance(5000);
  });

  it('groups calls starting in the same millisecond under one timer and one signal', async () => {
    const clock = new ManualClock();
    const timeout = new Timeout({ timeoutMs: 5000, clock });
    const signals: AbortSignal[] = [];
    const a = settle(timeout.execute(never(signals)));
    const b = settle(timeout.execute(never(signals)));
    await clock.advance(1);
    const c = settle(timeout.execute(never(signals)));
    expect(signals[0]).toBe(signals[1]);
    expect(signals[2]).not.toBe(signals[0]);
    expect(clock.pendingTimers).toBe(2);
    await clock.advance(4999);
    expect([a.result()?.ok, b.result()?.ok, c.result()]).toEqual([false, false, undefined]);
    expect(a.result()?.error).not.toBe(b.result()?.error);
    expect(signals[2]?.aborted).toBe(false);
    await clock.advance(1);
    expect(c.result()?.ok).toBe(false);
  });

  it('closes a slot whose calls have all settled once a newer slot opens: no timer or signal outlives finished calls', async () => {
    const clock = new ManualClock();
    const timeout = new Timeout({ timeoutMs: 5000, clock });
    const signals: AbortSignal[] = [];
    const seen = (value: string) => (signal: AbortSignal) => (signals.push(signal), Promise.resolve(value));
    // Many short calls, one per millisecond: each millisecond's slot is closed when the next opens.
    for (let ms = 0; ms < 50; ms++) {
      await expect(timeout.execute(seen(`call ${ms}`))).resolves.toBe(`call ${ms}`);
      expect(clock.pendingTimers).toBe(1);
      await clock.advance(1);
    }
    // A slot with a call still pending stays open (its deadline still applies) after newer slots open,
    // and closes as soon as that call settles.
    let finish: (value: string) => void = () => undefined;
    const slow = settle(timeout.execute((signal) => (signals.push(signal), new Promise<string>((resolve) => (finish = resolve)))));
    await clock.advance(1);
    await timeout.execute(seen('next'));
    expect(clock.pendingTimers).toBe(2);
    finish('late but in time');
    await clock.advance(0);
    expect(slow.result()).toEqual({ ok: true, value: 'late but in time' });
    expect(clock.pendingTimers).toBe(1);
    // Closed slots never abort: their calls finished before the deadline.
    await clock.advance(10_000);
    expect(signals.filter((s) => s.aborted)).toHaveLength(1);
    expect(signals[signals.length - 1]?.aborted).toBe(true);
  });

  it('on the system clock, aborts a real timer-based call that honours its signal', async () => {
    const timeout = new Timeout({ timeoutMs: 20 });
    let inner: Promise<string> | undefined;
    const started = Date.now();
    const error = await timeout
      .execute((signal) => (inner = wait(10_000, 'late', { signal })))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(Date.now() - started).toBeLessThan(1000);
    await expect(inner).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('refuses a timeout below 1 ms', () => {
    expect(() => new Timeout({ timeoutMs: 0 })).toThrow('timeout.timeoutMs=0 must be a whole number from 1 to 3600000');
  });
});
