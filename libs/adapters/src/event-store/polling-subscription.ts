import { ReadAllOptions, RecordedEvent, Subscription } from '@keyledger/kms-domain';

/** What a polling subscription reads from: a global-order reader and an optional local append signal. */
export interface SubscriptionSource {
  readAll(options: ReadAllOptions): Promise<readonly RecordedEvent[]>;
  /** The store's local-commit listeners: the subscription joins while it runs, to wake at once. */
  appendListeners?: Set<() => void>;
}

/** Tuning for polling subscriptions: how often to look for commits made elsewhere, page size. */
export interface PollingOptions {
  readonly after?: number;
  readonly pollIntervalMs?: number;
  readonly pageSize?: number;
}

/**
 * A catch-up subscription built on readAll: pages through history, then polls the global
 * position for commits from other processes and wakes at once on commits from this one.
 */
export function pollingSubscription(source: SubscriptionSource, options: PollingOptions = {}): Subscription {
  return new PollingSubscription(source, options.after ?? 0, options.pollIntervalMs ?? 50, options.pageSize ?? 500);
}

class PollingSubscription implements Subscription {
  private stopped = false;
  private dirty = false;
  private started = false;
  private wake: (() => void) | null = null;
  private readonly onAppend = (): void => this.signal();

  constructor(
    private readonly source: SubscriptionSource,
    private readonly after: number,
    private readonly pollIntervalMs: number,
    private readonly pageSize: number,
  ) {
    source.appendListeners?.add(this.onAppend);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.source.appendListeners?.delete(this.onAppend);
    this.signal();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<RecordedEvent> {
    if (this.started) throw new Error('a subscription can be iterated only once');
    this.started = true;
    let after = this.after;
    try {
      while (!this.stopped) {
        this.dirty = false;
        const page = await this.source.readAll({ after, maxCount: this.pageSize });
        for (const event of page) {
          if (this.stopped) return;
          yield event;
          after = event.position;
        }
        if (page.length < this.pageSize) await this.sleep();
      }
    } finally {
      this.stopped = true;
      this.source.appendListeners?.delete(this.onAppend);
    }
  }

  private signal(): void {
    this.dirty = true;
    this.wake?.();
  }

  private sleep(): Promise<void> {
    if (this.dirty || this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, this.pollIntervalMs);
      this.wake = done;
    });
  }
}
