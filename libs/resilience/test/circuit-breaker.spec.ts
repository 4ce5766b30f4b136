import { CircuitBreaker } from '../src/breaker/circuit-breaker';
import type { BreakerTransition } from '../src/breaker/state';
import { BreakerOpenError, isBreakerOpenError } from '../src/errors';
import { RESILIENCE_DEFAULTS } from '../src/settings';
import { CallerMistake, ManualClock, TransientError } from './support';

function setup(overrides: Partial<typeof RESILIENCE_DEFAULTS.breaker> = {}) {
  const clock = new ManualClock();
  const transitions: BreakerTransition[] = [];
  const breaker = new CircuitBreaker({
    ...RESILIENCE_DEFAULTS.breaker,
    ...overrides,
    name: 'kms-signing-key',
    clock,
    onTransition: (t) => transitions.push(t),
  });
  const ok = () => breaker.recordSuccess(breaker.admit());
  const fail = () => breaker.recordError(breaker.admit(), new TransientError('throttled'));
  return { clock, breaker, transitions, ok, fail };
}

function rejection(breaker: CircuitBreaker): BreakerOpenError {
  try {
    breaker.admit();
  } catch (error) {
    if (isBreakerOpenError(error)) return error;
    throw error;
  }
  throw new Error('expected the breaker to reject');
}

/** Drives a default breaker open: ten failures. */
function open(s: ReturnType<typeof setup>): void {
  for (let i = 0; i < 10; i++) s.fail();
}

describe('CircuitBreaker (count window 10, ratio 0.5, delay 5000 ms, 3 successes to close)', () => {
  it('does not open before the window holds 10 calls, however many fail', () => {
    const s = setup();
    for (let i = 0; i < 9; i++) s.fail();
    expect(s.breaker.state).toBe('closed');
    expect(s.breaker.snapshot().window).toEqual({ size: 10, calls: 9, failures: 9, failureRatio: 1 });
    s.fail();
    expect(s.breaker.state).toBe('open');
  });

  it('opens on exactly the call that brings the ratio of the last 10 to 0.5', () => {
    const s = setup();
    for (let i = 0; i < 10; i++) s.ok();
    for (let i = 0; i < 4; i++) s.fail();
    expect(s.breaker.state).toBe('closed');
    expect(s.transitions).toHaveLength(0);
    s.fail();
    expect(s.breaker.state).toBe('open');
    expect(s.transitions).toHaveLength(1);
    expect(s.transitions[0]?.window).toEqual({ size: 10, calls: 10, failures: 5, failureRatio: 0.5 });
  });

  it('opens when the 10th call is a success that fills a window already at 5 failures', () => {
    const s = setup();
    for (let i = 0; i < 5; i++) s.fail();
    for (let i = 0; i < 4; i++) s.ok();
    expect(s.breaker.state).toBe('closed');
    s.ok();
    expect(s.breaker.state).toBe('open');
  });

  it('slides: old failures leave the window', () => {
    const s = setup();
    for (let i = 0; i < 4; i++) s.fail();
    for (let i = 0; i < 6; i++) s.ok();
    s.fail(); // the first failure slides out as this one enters: still 4 of 10
    expect(s.breaker.state).toBe('closed');
    expect(s.breaker.snapshot().window.failures).toBe(4);
  });

  it("does not count a caller's mistake: it proves the provider answered", () => {
    const s = setup();
    for (let i = 0; i < 20; i++) s.breaker.recordError(s.breaker.admit(), new CallerMistake('bad ciphertext'));
    expect(s.breaker.state).toBe('closed');
    expect(s.breaker.snapshot().window).toMatchObject({ calls: 10, failures: 0 });
  });

  it('fails fast while open with the time left as retryAfterMs, and half-opens after exactly 5000 ms', async () => {
    const s = setup();
    open(s);
    await s.clock.advance(1200);
    const error = rejection(s.breaker);
    expect(error).toMatchObject({ code: 'BREAKER_OPEN', breakerName: 'kms-signing-key', retryAfterMs: 3800 });
    expect(error.message).toBe("Circuit breaker 'kms-signing-key' is OPEN - blocking all requests");
    await s.clock.advance(3799);
    expect(s.breaker.state).toBe('open');
    await s.clock.advance(1);
    expect(s.breaker.state).toBe('half-open');
    expect(s.breaker.snapshot().stateValue).toBe(2);
  });

  it('reopens on a half-open failure, for another full delay', async () => {
    const s = setup();
    open(s);
    await s.clock.advance(5000);
    s.ok();
    s.fail();
    expect(s.breaker.state).toBe('open');
    expect(rejection(s.breaker).retryAfterMs).toBe(5000);
  });

  it('closes on the third consecutive half-open success, not before', async () => {
    const s = setup();
    open(s);
    await s.clock.advance(5000);
    s.ok();
    s.ok();
    expect(s.breaker.state).toBe('half-open');
    expect(s.breaker.snapshot().halfOpenSuccesses).toBe(2);
    s.ok();
    expect(s.breaker.state).toBe('closed');
    expect(s.breaker.snapshot().window.calls).toBe(0);
  });

  it('admits at most halfOpenMaxCalls trial calls at once while half-open', async () => {
    const s = setup();
    open(s);
    await s.clock.advance(5000);
    const tickets = [s.breaker.admit(), s.breaker.admit(), s.breaker.admit()];
    expect(rejection(s.breaker).retryAfterMs).toBe(0);
    s.breaker.recordSuccess(tickets[0] as number);
    expect(() => s.breaker.admit()).not.toThrow();
  });

  it('ignores outcomes of calls admitted before the last transition', async () => {
    const s = setup();
    const lateTicket = s.breaker.admit();
    open(s);
    await s.clock.advance(5000);
    s.breaker.recordError(lateTicket, new TransientError('late'));
    expect(s.breaker.state).toBe('half-open');
  });

  it('frees a half-open trial slot without counting when the call never reached the provider', async () => {
    const s = setup({ halfOpenMaxCalls: 1 });
    open(s);
    await s.clock.advance(5000);
    s.breaker.recordIgnored(s.breaker.admit());
    s.ok();
    expect(s.breaker.snapshot().halfOpenSuccesses).toBe(1);
  });

  it('stays open while isolated, whatever the delay, until reset', async () => {
    const s = setup();
    s.breaker.isolate();
    expect(s.breaker.snapshot()).toMatchObject({ state: 'open', stateValue: 1, isolated: true, retryAfterMs: null });
    await s.clock.advance(60_000);
    expect(rejection(s.breaker).code).toBe('BREAKER_OPEN');
    s.breaker.reset();
    expect(s.breaker.snapshot()).toMatchObject({ state: 'closed', stateValue: 0, isolated: false });
    s.ok();
  });

  it('reset closes an open breaker, clears its window and cancels the half-open timer', async () => {
    const s = setup();
    open(s);
    s.breaker.reset();
    expect(s.breaker.state).toBe('closed');
    expect(s.breaker.snapshot().window.calls).toBe(0);
    expect(s.clock.pendingTimers).toBe(0);
    for (let i = 0; i < 9; i++) s.fail();
    expect(s.breaker.state).toBe('closed');
  });

  it('publishes every transition in order with name, from, to, time and window figures', async () => {
    const s = setup();
    const t0 = s.clock.now();
    for (let i = 0; i < 5; i++) s.ok();
    for (let i = 0; i < 5; i++) s.fail();
    await s.clock.advance(5000);
    s.fail();
    await s.clock.advance(5000);
    s.ok();
    s.ok();
    s.ok();
    s.breaker.isolate();
    s.breaker.reset();
    const window = { size: 10, calls: 10, failures: 5, failureRatio: 0.5 };
    expect(s.transitions.map(({ from, to, fromValue, toValue, reason }) => [from, to, fromValue, toValue, reason])).toEqual([
      ['closed', 'open', 0, 1, 'failure-ratio'],
      ['open', 'half-open', 1, 2, 'delay-elapsed'],
      ['half-open', 'open', 2, 1, 'half-open-failure'],
      ['open', 'half-open', 1, 2, 'delay-elapsed'],
      ['half-open', 'closed', 2, 0, 'success-threshold'],
      ['closed', 'open', 0, 1, 'isolated'],
      ['open', 'closed', 1, 0, 'reset'],
    ]);
    expect(s.transitions.map((t) => t.at - t0)).toEqual([0, 5000, 5000, 10_000, 10_000, 10_000, 10_000]);
    expect(s.transitions[0]).toMatchObject({ name: 'kms-signing-key', window, halfOpenSuccesses: 0, isolated: false });
    expect(s.transitions[4]).toMatchObject({ window, halfOpenSuccesses: 3 });
    expect(s.transitions[5]).toMatchObject({ isolated: true, window: { calls: 0 } });
  });

  it('keeps publishing to other listeners when one throws, and supports unsubscribe', () => {
    const s = setup();
    const seen: string[] = [];
    s.breaker.onTransition(() => {
      throw new Error('listener bug');
    });
    const off = s.breaker.onTransition((t) => seen.push(t.to));
    open(s);
    off();
    s.breaker.reset();
    expect(seen).toEqual(['open']);
    expect(s.transitions.map((t) => t.to)).toEqual(['open', 'closed']);
  });

  it('execute records outcomes and rethrows the call error unchanged', async () => {
    const s = setup({ requestVolumeThreshold: 2, failureRatio: 1 });
    const boom = new TransientError('5xx');
    await expect(s.breaker.execute(() => 'ok')).resolves.toBe('ok');
    await expect(s.breaker.execute(() => Promise.reject(boom))).rejects.toBe(boom);
    await expect(s.breaker.execute(() => Promise.reject(boom))).rejects.toBe(boom);
    await expect(s.breaker.execute(() => 'never')).rejects.toBeInstanceOf(BreakerOpenError);
  });

  it('refuses bad settings with every problem listed', () => {
    expect(
      () => new CircuitBreaker({ ...RESILIENCE_DEFAULTS.breaker, name: 'x', requestVolumeThreshold: 0, failureRatio: 1.5 }),
    ).toThrow('breaker.requestVolumeThreshold=0 must be a whole number from 1 to 10000\nbreaker.failureRatio=1.5');
  });
});
