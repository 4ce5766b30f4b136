/** Sleeps `ms`, resolving early when `signal` aborts. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** A real-timer sleep that stops waiting on abort. */
export const timerSleep: Sleep = (ms, signal) =>
  new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });

/** How a run is paced. */
export interface PacerOptions {
  /** Cap on rotation starts per minute; undefined or 0 means no cap (and no waiting). */
  readonly maxPerMinute?: number;
  /** Extra random spacing as a share of the minimum interval, 0..1 (default 0.5). */
  readonly jitterRatio?: number;
  readonly random?: () => number;
  readonly sleep?: Sleep;
  /** Monotonic milliseconds (default `performance.now`). */
  readonly monotonic?: () => number;
  readonly signal?: AbortSignal;
}

export const DEFAULT_JITTER_RATIO = 0.5;

/**
 * Spaces rotation starts at least `60 s / maxPerMinute` apart, plus a random extra of up to
 * `jitterRatio` of that interval, so a large fleet never exceeds the provider's request quota and
 * replicas starting on the same cron tick drift apart. The first start is jittered too.
 */
export class RotationPacer {
  private readonly intervalMs: number;
  private next: number | null = null;

  constructor(private readonly options: PacerOptions = {}) {
    const max = options.maxPerMinute ?? 0;
    this.intervalMs = max > 0 ? 60_000 / max : 0;
  }

  /** Waits for the next slot (nothing to wait for without a cap). */
  async slot(): Promise<void> {
    if (this.intervalMs === 0) return;
    const now = this.clock();
    if (this.next === null) this.next = now + this.jitter();
    const delay = this.next - now;
    if (delay > 0) await (this.options.sleep ?? timerSleep)(delay, this.options.signal);
    const started = Math.max(this.clock(), this.next);
    this.next = started + this.intervalMs + this.jitter();
  }

  private jitter(): number {
    const ratio = Math.min(1, Math.max(0, this.options.jitterRatio ?? DEFAULT_JITTER_RATIO));
    return (this.options.random ?? Math.random)() * ratio * this.intervalMs;
  }

  private clock(): number {
    return (this.options.monotonic ?? (() => performance.now()))();
  }
}
