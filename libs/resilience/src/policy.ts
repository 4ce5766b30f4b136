import { isTransientFailure, type FailureClassifier } from './classify';
import { systemClock, type Clock, type Sleep } from './clock';
import { CircuitBreaker } from './breaker/circuit-breaker';
import type { BreakerTransitionListener } from './breaker/state';
import { Bulkhead, type BulkheadWaiter } from './bulkhead';
import type { TimeoutError } from './errors';
import { Retry } from './retry';
import type { ResiliencePolicyOptions } from './settings';
import { Timeout, settleWith, type DeadlineSlot, type DeadlineWaiter } from './timeout';
import { validateResiliencePolicyOptions } from './validate';

/** Runtime collaborators of a policy; everything here has a production default. */
export interface ResilienceHooks {
  readonly clock?: Clock;
  /** Uniform in [0, 1) for retry jitter. */
  readonly random?: () => number;
  readonly sleep?: Sleep;
  /** What counts as a provider failure in the breaker (default {@link isTransientFailure}). */
  readonly isFailure?: FailureClassifier;
  /** What retry retries (default: the same as `isFailure`). */
  readonly retryOn?: FailureClassifier;
  readonly onTransition?: BreakerTransitionListener;
}

/** The guarded call: receives the signal that aborts when its attempt times out. */
export type GuardedCall<T> = (signal: AbortSignal) => T | PromiseLike<T>;

/**
 * One named policy per provider operation, composed as in MicroProfile Fault Tolerance:
 * retry ⟶ circuit breaker ⟶ timeout ⟶ bulkhead ⟶ call(signal). Every attempt (retries
 * included) passes the breaker and counts in its window; the timeout covers the bulkhead queue.
 */
export class ResiliencePolicy {
  readonly name: string;
  readonly breaker: CircuitBreaker;
  readonly retry: Retry;
  readonly timeout: Timeout;
  readonly bulkhead: Bulkhead;
  private readonly clock: Clock;

  constructor(options: ResiliencePolicyOptions, hooks: ResilienceHooks = {}) {
    validateResiliencePolicyOptions(options);
    const clock = hooks.clock ?? systemClock;
    const isFailure = hooks.isFailure ?? isTransientFailure;
    this.name = options.name;
    this.clock = clock;
    this.breaker = new CircuitBreaker({
      ...options.breaker,
      name: options.name,
      clock,
      isFailure,
      ...(hooks.onTransition ? { onTransition: hooks.onTransition } : {}),
    });
    this.retry = new Retry({
      ...options.retry,
      clock,
      retryOn: hooks.retryOn ?? isFailure,
      ...(hooks.random ? { random: hooks.random } : {}),
      ...(hooks.sleep ? { sleep: hooks.sleep } : {}),
    });
    this.timeout = new Timeout({ timeoutMs: options.timeout.timeoutMs, clock });
    this.bulkhead = new Bulkhead(options.bulkhead);
  }

  /** Runs `fn` through retry, breaker, timeout and bulkhead; rejects with the last error. */
  async execute<T>(fn: GuardedCall<T>): Promise<T> {
    const startedAt = this.clock.now();
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.attempt(fn);
      } catch (error) {
        await this.retry.backOff(error, attempt, startedAt);
      }
    }
  }

  /** One attempt: breaker admission, then a deadline slot, then a bulkhead slot, then the call. */
  private attempt<T>(fn: GuardedCall<T>): Promise<T> {
    const ticket = this.breaker.admit();
    const slot = this.timeout.slot();
    return new Promise<T>((resolve, reject) => {
      const run = new Attempt(this.breaker, this.bulkhead, slot, ticket, fn, resolve, reject);
      slot.pending.add(run);
      if (this.bulkhead.tryAcquire()) {
        run.grant();
        return;
      }
      try {
        this.bulkhead.enqueue(run);
      } catch (error) {
        slot.settle(run);
        this.breaker.recordIgnored(ticket);
        reject(error);
      }
    });
  }
}

/** One attempt in flight: settles once, by the call or by its deadline, and records the outcome. */
class Attempt<T> implements DeadlineWaiter, BulkheadWaiter {
  private started = false;

  constructor(
    private readonly breaker: CircuitBreaker,
    private readonly bulkhead: Bulkhead,
    private readonly slot: DeadlineSlot,
    private readonly ticket: number,
    private readonly fn: GuardedCall<T>,
    private readonly resolve: (value: T) => void,
    private readonly reject: (error: unknown) => void,
  ) {}

  grant(): void {
    this.started = true;
    settleWith(
      () => this.fn(this.slot.signal),
      (value) => this.succeeded(value),
      (error) => this.failed(error),
    );
  }

  timedOut(error: TimeoutError): void {
    if (!this.started) this.bulkhead.withdraw(this);
    this.breaker.recordError(this.ticket, error);
    this.reject(error);
  }

  private succeeded(value: T): void {
    this.bulkhead.release();
    if (!this.slot.settle(this)) return;
    this.breaker.recordSuccess(this.ticket);
    this.resolve(value);
  }

  private failed(error: unknown): void {
    this.bulkhead.release();
    if (!this.slot.settle(this)) return;
    this.breaker.recordError(this.ticket, error);
    this.reject(error);
  }
}
