/** An opaque timer handle returned by {@link Clock.setTimeout}. */
export type TimerHandle = unknown;

/**
 * Time as the policies see it. Injected so tests run on a fake clock; the system clock reads the
 * globals at call time, so Jest's fake timers also drive it.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** The real clock: `Date.now` and the global timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Lets the process exit while only this timer is pending (Node timers have `unref`). */
export function unrefTimer(handle: TimerHandle): void {
  const timer = handle as { unref?: () => void } | null;
  if (timer !== null && typeof timer === 'object' && typeof timer.unref === 'function') timer.unref();
}

/** Waits `ms` on the given clock. */
export type Sleep = (ms: number) => Promise<void>;

/** A {@link Sleep} driven by `clock`. */
export function sleepOn(clock: Clock): Sleep {
  return (ms) => new Promise<void>((resolve) => void clock.setTimeout(resolve, ms));
}
