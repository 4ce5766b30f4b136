import { isPolicyRejection, isTransientFailure, type FailureClassifier } from '../classify';
import { systemClock, unrefTimer, type Clock, type TimerHandle } from '../clock';
import { BreakerOpenError } from '../errors';
import type { CircuitBreakerSettings } from '../settings';
import { assertValid, breakerProblems } from '../validate';
import {
  BREAKER_STATE_VALUE,
  type BreakerSnapshot,
  type BreakerStateName,
  type BreakerTransitionListener,
  type BreakerTransitionReason,
} from './state';
import { OutcomeWindow } from './window';

/** Breaker construction options: settings plus the injectable clock, classifier and hook. */
export interface CircuitBreakerOptions extends CircuitBreakerSettings {
  readonly name: string;
  readonly clock?: Clock;
  readonly isFailure?: FailureClassifier;
  readonly onTransition?: BreakerTransitionListener;
}

type Internal =
  | { readonly status: 'closed' }
  | { readonly status: 'open'; readonly until: number; readonly timer: TimerHandle }
  | { readonly status: 'half-open'; inFlight: number; successes: number }
  | { readonly status: 'isolated' };

/**
 * Circuit breaker over a count-based window, with a success threshold to close (MicroProfile
 * semantics, which cockatiel and opossum lack). Use `admit` before a call and one `record*` after;
 * the returned ticket stops late outcomes from an earlier state from counting in the current one.
 */
export class CircuitBreaker {
  readonly name: string;
  private readonly settings: CircuitBreakerSettings;
  private readonly clock: Clock;
  private readonly isFailure: FailureClassifier;
  private readonly window: OutcomeWindow;
  private readonly listeners: BreakerTransitionListener[] = [];
  private internal: Internal = { status: 'closed' };
  private generation = 0;

  constructor(options: CircuitBreakerOptions) {
    assertValid(breakerProblems(options));
    this.name = options.name;
    this.settings = { ...options };
    this.clock = options.clock ?? systemClock;
    this.isFailure = options.isFailure ?? isTransientFailure;
    this.window = new OutcomeWindow(options.requestVolumeThreshold);
    if (options.onTransition) this.listeners.push(options.onTransition);
  }

  /** Public state; an isolated breaker is `open`. */
  get state(): BreakerStateName {
    return publicState(this.internal);
  }

  /** Subscribes to transitions; returns the unsubscribe function. */
  onTransition(listener: BreakerTransitionListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /** Admits one call and returns its ticket, or throws {@link BreakerOpenError}. */
  admit(): number {
    const s = this.internal;
    switch (s.status) {
      case 'closed':
        return this.generation;
      case 'open': {
        const now = this.clock.now();
        if (now < s.until) throw new BreakerOpenError(this.name, s.until - now);
        this.toHalfOpen();
        return this.admit();
      }
      case 'half-open':
        if (s.inFlight >= this.settings.halfOpenMaxCalls) throw new BreakerOpenError(this.name, 0);
        s.inFlight++;
        return this.generation;
      case 'isolated':
        throw new BreakerOpenError(this.name, this.settings.delayMs);
      default:
        return assertNever(s);
    }
  }

  /** The admitted call succeeded. */
  recordSuccess(ticket: number): void {
    if (ticket !== this.generation) return;
    const s = this.internal;
    if (s.status === 'closed') {
      this.window.record(false);
      if (this.window.reaches(this.settings.failureRatio)) this.toOpen('failure-ratio');
    } else if (s.status === 'half-open') {
      s.inFlight--;
      s.successes++;
      if (s.successes >= this.settings.successThreshold) this.toClosed('success-threshold');
    }
  }

  /** The admitted call failed in a way that says the provider is unhealthy. */
  recordFailure(ticket: number): void {
    if (ticket !== this.generation) return;
    const s = this.internal;
    if (s.status === 'closed') {
      this.window.record(true);
      if (this.window.reaches(this.settings.failureRatio)) this.toOpen('failure-ratio');
    } else if (s.status === 'half-open') {
      this.toOpen('half-open-failure');
    }
  }

  /** The admitted call never reached the provider (e.g. bulkhead full): frees a trial slot only. */
  recordIgnored(ticket: number): void {
    if (ticket !== this.generation) return;
    if (this.internal.status === 'half-open') this.internal.inFlight--;
  }

  /** Classifies `error` and records it: policy rejections are ignored, non-failures are successes. */
  recordError(ticket: number, error: unknown): void {
    if (isPolicyRejection(error)) this.recordIgnored(ticket);
    else if (this.isFailure(error)) this.recordFailure(ticket);
    else this.recordSuccess(ticket);
  }

  /** Runs `fn` through the breaker alone. */
  async execute<T>(fn: () => T | PromiseLike<T>): Promise<T> {
    const ticket = this.admit();
    try {
      const value = await fn();
      this.recordSuccess(ticket);
      return value;
    } catch (error) {
      this.recordError(ticket, error);
      throw error;
    }
  }

  /** Operator action: hold the breaker open until {@link reset}. */
  isolate(): void {
    if (this.internal.status === 'isolated') return;
    this.leave();
    this.enter({ status: 'isolated' }, 'isolated');
  }

  /** Operator action: close the breaker and forget the window (also ends isolation). */
  reset(): void {
    if (this.internal.status === 'closed') {
      this.window.clear();
      return;
    }
    this.toClosed('reset');
  }

  snapshot(): BreakerSnapshot {
    const s = this.internal;
    const state = publicState(s);
    return {
      name: this.name,
      state,
      stateValue: BREAKER_STATE_VALUE[state],
      isolated: s.status === 'isolated',
      window: this.window.figures(),
      halfOpenSuccesses: s.status === 'half-open' ? s.successes : 0,
      retryAfterMs: retryAfter(s, this.clock.now()),
    };
  }

  private toOpen(reason: BreakerTransitionReason): void {
    this.leave();
    const until = this.clock.now() + this.settings.delayMs;
    const generation = this.generation + 1;
    const timer = this.clock.setTimeout(() => {
      if (this.generation === generation) this.toHalfOpen();
    }, this.settings.delayMs);
    unrefTimer(timer);
    this.enter({ status: 'open', until, timer }, reason);
  }

  private toHalfOpen(): void {
    this.leave();
    this.enter({ status: 'half-open', inFlight: 0, successes: 0 }, 'delay-elapsed');
  }

  private toClosed(reason: BreakerTransitionReason): void {
    this.leave();
    const window = this.window.figures();
    this.window.clear();
    this.enter({ status: 'closed' }, reason, window);
  }

  private leave(): void {
    if (this.internal.status === 'open') this.clock.clearTimeout(this.internal.timer);
  }

  private enter(next: Internal, reason: BreakerTransitionReason, window = this.window.figures()): void {
    const previous = this.internal;
    this.internal = next;
    this.generation++;
    const from = publicState(previous);
    const to = publicState(next);
    const transition = {
      name: this.name,
      from,
      to,
      fromValue: BREAKER_STATE_VALUE[from],
      toValue: BREAKER_STATE_VALUE[to],
      at: this.clock.now(),
      reason,
      window,
      halfOpenSuccesses: previous.status === 'half-open' ? previous.successes : 0,
      isolated: next.status === 'isolated',
    };
    for (const listener of [...this.listeners]) {
      try {
        listener(transition);
      } catch {
        // A faulty listener must never break the call path or hide the transition from others.
      }
    }
  }
}

function publicState(s: Internal): BreakerStateName {
  return s.status === 'isolated' ? 'open' : s.status;
}

function retryAfter(s: Internal, now: number): number | null {
  if (s.status === 'isolated') return null;
  return s.status === 'open' ? Math.max(0, s.until - now) : 0;
}

function assertNever(value: never): never {
  throw new Error(`Unexpected breaker state ${JSON.stringify(value)}`);
}
