import { isPolicyRejection, isTransientFailure, type FailureClassifier } from './classify';
import { sleepOn, systemClock, type Clock, type Sleep } from './clock';
import { DeadlineExceededError } from './errors';
import type { RetrySettings } from './settings';
import { assertValid, retryProblems } from './validate';

export interface RetryOptions extends RetrySettings {
  readonly clock?: Clock;
  /** Uniform in [0, 1); injected for tests. Defaults to Math.random. */
  readonly random?: () => number;
  /** Defaults to a sleep on `clock`. */
  readonly sleep?: Sleep;
  /** Which errors are worth another attempt; defaults to {@link isTransientFailure}. */
  readonly retryOn?: FailureClassifier;
}

/**
 * Retries transient failures with a constant delay and symmetric jitter, within an overall
 * deadline. Never retries a policy rejection (breaker open, bulkhead full): those fail fast.
 */
export class Retry {
  readonly settings: RetrySettings;
  readonly clock: Clock;
  private readonly random: () => number;
  private readonly sleeper: Sleep;
  private readonly retryOn: FailureClassifier;

  constructor(options: RetryOptions) {
    assertValid(retryProblems(options));
    this.settings = {
      maxRetries: options.maxRetries,
      delayMs: options.delayMs,
      jitterMs: options.jitterMs,
      maxDurationMs: options.maxDurationMs,
    };
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.sleeper = options.sleep ?? sleepOn(this.clock);
    this.retryOn = options.retryOn ?? isTransientFailure;
  }

  /** The next delay: `delayMs ± jitterMs`, never negative. */
  nextDelay(): number {
    const { delayMs, jitterMs } = this.settings;
    return Math.max(0, delayMs + (this.random() * 2 - 1) * jitterMs);
  }

  /**
   * After attempt number `attempts` failed with `error`: waits and resolves when another attempt
   * should run, or throws (the error itself, or {@link DeadlineExceededError} with it as cause).
   */
  async backOff(error: unknown, attempts: number, startedAt: number): Promise<void> {
    if (attempts > this.settings.maxRetries || isPolicyRejection(error) || !this.retryOn(error)) throw error;
    const delay = this.nextDelay();
    if (this.clock.now() + delay > startedAt + this.settings.maxDurationMs) {
      throw new DeadlineExceededError(this.settings.maxDurationMs, attempts, error);
    }
    await this.sleeper(delay);
  }

  /** Runs `fn` with retries alone. */
  async execute<T>(fn: (attempt: number) => T | PromiseLike<T>): Promise<T> {
    const startedAt = this.clock.now();
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn(attempt);
      } catch (error) {
        await this.backOff(error, attempt, startedAt);
      }
    }
  }
}
