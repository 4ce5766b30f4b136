import type { Clock, TimerHandle } from '../src/clock';

interface Timer {
  readonly id: number;
  readonly at: number;
  readonly callback: () => void;
}

/** Lets every queued promise callback run (a macrotask turn drains the microtask queue). */
export const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A clock that only moves when told to; timers fire in due order as time is advanced. */
export class ManualClock implements Clock {
  private time: number;
  private nextId = 1;
  private timers: Timer[] = [];

  constructor(start = 1_000_000) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const timer = { id: this.nextId++, at: this.time + Math.max(0, ms), callback };
    this.timers.push(timer);
    return timer.id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }

  get pendingTimers(): number {
    return this.timers.length;
  }

  /** Moves time forward by `ms`, firing due timers one by one and settling promises after each. */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    await flush();
    for (;;) {
      const due = this.timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (due === undefined) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.time = due.at;
      due.callback();
      await flush();
    }
    this.time = target;
    await flush();
  }
}

/** An error an adapter would flag as transient (throttling, 5xx, reset). */
export class TransientError extends Error {
  readonly transient = true;
}

/** A caller's mistake (e.g. invalid ciphertext): says nothing about the provider's health. */
export class CallerMistake extends Error {
  readonly transient = false;
}

/** Captures a promise's outcome without letting a rejection go unhandled. */
export function settle<T>(promise: Promise<T>): { readonly result: () => { ok: boolean; value?: T; error?: unknown } | undefined } {
  let outcome: { ok: boolean; value?: T; error?: unknown } | undefined;
  promise.then(
    (value) => (outcome = { ok: true, value }),
    (error: unknown) => (outcome = { ok: false, error }),
  );
  return { result: () => outcome };
}
