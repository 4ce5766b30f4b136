import { EventStore, RecordedEvent, Subscription } from '@keyledger/kms-domain';
import { CheckpointStore, InMemoryCheckpointStore } from './checkpoint-store';
import { ViewFold, applyPage } from './view-fold';

/** Published for every applied event, so every instance can drop cache entries for that stream. */
export interface ChangeNotification {
  readonly streamName: string;
  readonly eventType: string;
  readonly position: number;
}

/** How a view is written into and read from a checkpoint (JSON by default). */
export interface ViewCodec<View> {
  encode(view: View): string;
  decode(state: string): View;
}

/** Settings of a projection runner; `name` keys its checkpoint. */
export interface ProjectionRunnerOptions<View> {
  readonly name: string;
  readonly checkpoints?: CheckpointStore;
  readonly codec?: ViewCodec<View>;
  /** Save a checkpoint after this many applied events (and on stop). */
  readonly checkpointEvery?: number;
  /** Called when a fold throws: the runner stops rather than skip the event and serve a wrong view. */
  readonly onError?: (error: unknown, event: RecordedEvent | null) => void;
}

/** Events read per page while catching up on history (start, rebuild), folded a page at a time. */
export const CATCH_UP_PAGE_SIZE = 1000;

/**
 * Keeps a status view up to date: resumes from its stored checkpoint, catches up on history in
 * pages (folded through the fold's `applyAll`), then folds every event of a subscription, saves checkpoints, reports its lag behind the store
 * head, rebuilds from position zero on demand, and publishes change notifications.
 */
export class ProjectionRunner<View> {
  private current: View;
  private applied = 0;
  private sinceCheckpoint = 0;
  private subscription: Subscription | null = null;
  private loop: Promise<void> | null = null;
  private failure: unknown = null;
  private stopping = false;
  private readonly listeners = new Set<(change: ChangeNotification) => void>();
  private readonly waiters = new Set<{ position: number; resolve: () => void }>();
  private readonly checkpoints: CheckpointStore;
  private readonly codec: ViewCodec<View>;

  constructor(
    private readonly store: EventStore,
    private readonly fold: ViewFold<View>,
    private readonly options: ProjectionRunnerOptions<View>,
  ) {
    this.current = fold.initial;
    this.checkpoints = options.checkpoints ?? new InMemoryCheckpointStore();
    this.codec = options.codec ?? { encode: (v) => JSON.stringify(v), decode: (s) => JSON.parse(s) as View };
  }

  /** The current view (immutable; replaced on every change). */
  view(): View {
    return this.current;
  }

  /** Global position of the last applied event (0 before any). */
  appliedPosition(): number {
    return this.applied;
  }

  /** The error that stopped the runner, if any. */
  error(): unknown {
    return this.failure;
  }

  /** How far the view trails the store: head position − applied position (never negative). */
  async lag(): Promise<number> {
    return Math.max(0, (await this.store.headPosition()) - this.applied);
  }

  /** Subscribes to change notifications; returns the unsubscribe function. */
  onChange(listener: (change: ChangeNotification) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Loads the checkpoint (if any) and starts following the store from there. */
  async start(): Promise<void> {
    if (this.loop) return;
    const saved = await this.checkpoints.load(this.options.name);
    this.current = saved ? this.codec.decode(saved.state) : this.fold.initial;
    this.applied = saved ? saved.position : 0;
    this.follow();
  }

  /** Resolves once the view has applied `position` (read-your-writes after an append). */
  waitFor(position: number, timeoutMs = 5000): Promise<void> {
    if (this.applied >= position) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = { position, resolve: () => (clearTimeout(timer), resolve()) };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`projection ${this.options.name} did not reach position ${position} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** Stops following and saves a final checkpoint. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.subscription?.stop();
    await this.loop;
    this.subscription = null;
    this.loop = null;
    if (this.failure === null) await this.saveCheckpoint();
  }

  /** Discards the view and its checkpoint and replays every event from position zero. */
  async rebuild(): Promise<void> {
    const wasRunning = this.loop !== null;
    await this.stop();
    await this.checkpoints.clear(this.options.name);
    this.current = this.fold.initial;
    this.applied = 0;
    this.failure = null;
    if (wasRunning) this.follow();
  }

  private follow(): void {
    this.stopping = false;
    this.loop = this.catchUp().then((caughtUp) => {
      if (!caughtUp || this.stopping) return;
      const subscription = this.store.subscribe({ after: this.applied });
      this.subscription = subscription;
      return this.consume(subscription);
    });
  }

  /** Folds history page by page up to the head; false when stopped or failed. */
  private async catchUp(): Promise<boolean> {
    try {
      for (;;) {
        if (this.stopping) return false;
        const page = await this.store.readAll({ after: this.applied, maxCount: CATCH_UP_PAGE_SIZE });
        if (page.length > 0 && !(await this.applyCatchUpPage(page))) return false;
        if (page.length < CATCH_UP_PAGE_SIZE) return true;
      }
    } catch (error) {
      this.fail(error, null);
      return false;
    }
  }

  /** A failing page is folded again event by event, so the view stops right before the bad event. */
  private async applyCatchUpPage(page: readonly RecordedEvent[]): Promise<boolean> {
    let next: View;
    try {
      next = applyPage(this.fold, this.current, page);
    } catch {
      for (const event of page) if (!this.applyOne(event)) return false;
      return true;
    }
    this.current = next;
    this.applied = page[page.length - 1].position;
    for (const event of page) this.publish(event);
    this.sinceCheckpoint += page.length;
    if (this.sinceCheckpoint >= (this.options.checkpointEvery ?? 1000)) await this.saveCheckpoint();
    return true;
  }

  private applyOne(event: RecordedEvent): boolean {
    try {
      this.current = this.fold.apply(this.current, event);
    } catch (error) {
      this.fail(error, event);
      return false;
    }
    this.applied = event.position;
    this.publish(event);
    return true;
  }

  private async consume(subscription: Subscription): Promise<void> {
    try {
      for await (const event of subscription) {
        if (!this.applyOne(event)) break;
        if (++this.sinceCheckpoint >= (this.options.checkpointEvery ?? 1000)) await this.saveCheckpoint();
      }
    } catch (error) {
      this.fail(error, null);
    }
    if (this.failure !== null) await subscription.stop();
  }

  private fail(error: unknown, event: RecordedEvent | null): void {
    this.failure = error;
    this.options.onError?.(error, event);
  }

  private publish(event: RecordedEvent): void {
    const change = { streamName: event.streamName, eventType: event.type, position: event.position };
    for (const listener of this.listeners) listener(change);
    for (const waiter of this.waiters) {
      if (waiter.position <= this.applied) {
        this.waiters.delete(waiter);
        waiter.resolve();
      }
    }
  }

  private async saveCheckpoint(): Promise<void> {
    this.sinceCheckpoint = 0;
    await this.checkpoints.save(this.options.name, { position: this.applied, state: this.codec.encode(this.current) });
  }
}
