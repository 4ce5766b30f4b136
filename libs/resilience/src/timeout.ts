import { setMaxListeners } from 'node:events';
import { systemClock, unrefTimer, type Clock, type TimerHandle } from './clock';
import { TimeoutError } from './errors';
import { assertValid, timeoutProblems } from './validate';

/** A call waiting on a deadline slot; told once when the deadline passes first. */
export interface DeadlineWaiter {
  timedOut(error: TimeoutError): void;
}

/**
 * The calls whose deadline falls in the same clock millisecond. They share one timer and one
 * AbortController: creating an AbortSignal per call costs more than the whole overhead budget.
 * When the deadline passes, the shared signal aborts and every call still pending times out. A
 * slot whose calls have all settled is closed early by its Timeout (timer cleared) once a newer
 * slot has opened, so finished calls leave no timer, controller or abort work behind them.
 */
export class DeadlineSlot {
  /** Calls still pending; a call leaves through `settle` (which says whether it won against the deadline). */
  readonly pending = new Set<DeadlineWaiter>();
  private readonly controller = new AbortController();

  constructor(
    readonly deadline: number,
    private readonly timeoutMs: number,
    /** Told when the last pending call settles (the Timeout that opened the slot may close it then). */
    private readonly onEmpty: (slot: DeadlineSlot) => void,
  ) {
    // Many concurrent calls may listen on one shared signal; that is by design, not a leak.
    setMaxListeners(0, this.controller.signal);
  }

  /** Aborted at the deadline. Shared by the slot's calls: read it, never hold on to it. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Removes a call that settled; false when the deadline took it first (it has timed out). */
  settle(waiter: DeadlineWaiter): boolean {
    if (!this.pending.delete(waiter)) return false;
    if (this.pending.size === 0) this.onEmpty(this);
    return true;
  }

  expire(): void {
    this.controller.abort(new TimeoutError(this.timeoutMs));
    const waiters = [...this.pending];
    this.pending.clear();
    for (const waiter of waiters) waiter.timedOut(new TimeoutError(this.timeoutMs));
  }
}

export interface TimeoutOptions {
  readonly timeoutMs: number;
  readonly clock?: Clock;
}

/** Bounds a call's duration and aborts it through its AbortSignal (deadlines never fire early). */
export class Timeout {
  readonly timeoutMs: number;
  private readonly clock: Clock;
  /** The open slots by deadline, each with its timer. */
  private readonly open = new Map<number, { readonly slot: DeadlineSlot; readonly timer: TimerHandle }>();
  private last: DeadlineSlot | undefined;

  constructor(options: TimeoutOptions) {
    assertValid(timeoutProblems(options.timeoutMs));
    this.timeoutMs = options.timeoutMs;
    this.clock = options.clock ?? systemClock;
  }

  /**
   * The slot for a call starting now: its deadline is `now + timeoutMs`, rounded up to the ms. Add
   * the call to its `pending` set at once, before anything is awaited: a slot left empty may be
   * closed as soon as a newer one opens, and a call added to a closed slot never times out.
   */
  slot(): DeadlineSlot {
    const deadline = Math.ceil(this.clock.now() + this.timeoutMs);
    const last = this.last;
    if (last !== undefined && last.deadline === deadline) return last;
    return this.openSlot(deadline);
  }

  /** Runs `fn` with a signal that aborts after `timeoutMs`; rejects with {@link TimeoutError}. */
  execute<T>(fn: (signal: AbortSignal) => T | PromiseLike<T>): Promise<T> {
    const slot = this.slot();
    return new Promise<T>((resolve, reject) => {
      const waiter: DeadlineWaiter = { timedOut: reject };
      slot.pending.add(waiter);
      settleWith(
        () => fn(slot.signal),
        (value) => slot.settle(waiter) && resolve(value),
        (error) => slot.settle(waiter) && reject(error),
      );
    });
  }

  private openSlot(deadline: number): DeadlineSlot {
    let slot = this.open.get(deadline)?.slot;
    if (slot === undefined) {
      const created = new DeadlineSlot(deadline, this.timeoutMs, (empty) => {
        if (empty !== this.last) this.close(empty);
      });
      const timer = this.clock.setTimeout(() => {
        this.open.delete(deadline);
        if (this.last === created) this.last = undefined;
        created.expire();
      }, deadline - this.clock.now());
      // The guarded call's own I/O keeps the process alive; a finished call's slot must not.
      unrefTimer(timer);
      this.open.set(deadline, { slot: created, timer });
      slot = created;
    }
    const previous = this.last;
    this.last = slot;
    if (previous !== undefined && previous !== slot && previous.pending.size === 0) this.close(previous);
    return slot;
  }

  /** Closes a slot whose calls have all settled: nothing is left for its deadline to abort. */
  private close(slot: DeadlineSlot): void {
    const open = this.open.get(slot.deadline);
    if (open?.slot !== slot) return;
    this.clock.clearTimeout(open.timer);
    this.open.delete(slot.deadline);
  }
}

/** Calls `run` and routes its value, promised value, or throw to `ok` / `fail`. */
export function settleWith<T>(
  run: () => T | PromiseLike<T>,
  ok: (value: T) => unknown,
  fail: (error: unknown) => unknown,
): void {
  let result: T | PromiseLike<T>;
  try {
    result = run();
  } catch (error) {
    fail(error);
    return;
  }
  if (isThenable(result)) result.then(ok, fail);
  else ok(result);
}

function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof value === 'object' && value !== null && typeof (value as PromiseLike<T>).then === 'function';
}
