import type { AppendOptions, AppendResult, EventStore, NewEvent, ReadAllOptions, ReadStreamOptions, RecordedEvent, Subscription } from '@keyledger/kms-domain';

/** Receives the duration of each append, failed ones included (`eventstore_append_seconds{store}`). */
export type AppendTimer = (store: string, seconds: number) => void;

/**
 * An event store that times every append and otherwise passes each call through unchanged. The
 * apps wrap the store they open in it, so the latency histogram covers every writer (key
 * operations, breaker recorder, rotation jobs, break-glass) on every adapter.
 */
export class TimedEventStore implements EventStore {
  constructor(
    private readonly inner: EventStore,
    private readonly storeName: string,
    private readonly timer: AppendTimer,
    private readonly now: () => number = () => performance.now(),
  ) {}

  async append(streamName: string, events: readonly NewEvent[], options?: AppendOptions): Promise<AppendResult> {
    const started = this.now();
    try {
      return await this.inner.append(streamName, events, options);
    } finally {
      this.timer(this.storeName, (this.now() - started) / 1000);
    }
  }

  readStream(streamName: string, options?: ReadStreamOptions): Promise<readonly RecordedEvent[]> {
    return this.inner.readStream(streamName, options);
  }

  readAll(options?: ReadAllOptions): Promise<readonly RecordedEvent[]> {
    return this.inner.readAll(options);
  }

  headPosition(): Promise<number> {
    return this.inner.headPosition();
  }

  subscribe(options?: { readonly after?: number }): Subscription {
    return this.inner.subscribe(options);
  }

  deleteStream(streamName: string): Promise<void> {
    return this.inner.deleteStream(streamName);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
