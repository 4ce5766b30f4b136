import { describeError } from '../redaction/scrub';

/** Milliseconds since an arbitrary origin; injectable so tests control expiry. */
export type Clock = () => number;

/** One probe run: its value or a scrubbed failure, how long it took, and when it ran. */
export type ProbeOutcome<T> =
  | { readonly ok: true; readonly value: T; readonly latencyMs: number; readonly checkedAt: number }
  | { readonly ok: false; readonly error: string; readonly latencyMs: number; readonly checkedAt: number };

/** Timing of probe caching. */
export interface ProbeCacheOptions {
  /** How long an outcome (success or failure) is reused (default 5000 ms). */
  readonly ttlMs?: number;
  /** A run taking longer than this counts as failed (default 3000 ms). */
  readonly timeoutMs?: number;
  readonly clock?: Clock;
}

export const DEFAULT_PROBE_TTL_MS = 5000;
export const DEFAULT_PROBE_TIMEOUT_MS = 3000;

/**
 * Wraps a probe so readiness checks never hammer what they probe: an outcome is reused for
 * `ttlMs`, failures included, and concurrent callers share one run in flight.
 */
export class CachedProbe<T> {
  private last: ProbeOutcome<T> | undefined;
  private inFlight: Promise<ProbeOutcome<T>> | undefined;
  private readonly ttlMs: number;
  private readonly timeoutMs: number;
  private readonly clock: Clock;

  constructor(
    private readonly run: () => Promise<T>,
    options: ProbeCacheOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? DEFAULT_PROBE_TTL_MS;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
    this.clock = options.clock ?? Date.now;
  }

  /** The cached outcome while fresh, else the outcome of a new run. */
  get(): Promise<ProbeOutcome<T>> {
    if (this.last !== undefined && this.clock() - this.last.checkedAt < this.ttlMs) return Promise.resolve(this.last);
    if (this.inFlight === undefined) {
      this.inFlight = this.execute().finally(() => {
        this.inFlight = undefined;
      });
    }
    return this.inFlight;
  }

  private async execute(): Promise<ProbeOutcome<T>> {
    const started = this.clock();
    let outcome: ProbeOutcome<T>;
    try {
      const value = await withTimeout(this.run(), this.timeoutMs);
      outcome = { ok: true, value, latencyMs: this.clock() - started, checkedAt: this.clock() };
    } catch (err) {
      outcome = { ok: false, error: describeError(err), latencyMs: this.clock() - started, checkedAt: this.clock() };
    }
    this.last = outcome;
    return outcome;
  }
}

/** Thrown (and cached as a failure) when a probe does not answer in time. */
export class ProbeTimeoutError extends Error {
  readonly code = 'PROBE_TIMEOUT';
  constructor(timeoutMs: number) {
    super(`probe did not answer within ${timeoutMs} ms`);
    this.name = 'ProbeTimeoutError';
  }
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ProbeTimeoutError(timeoutMs)), timeoutMs);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
