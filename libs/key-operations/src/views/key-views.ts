import { decodeEvent, isDomainStream, type EventStore, type KeyledgerEvent, type ProjectedEvent, type ReadModels, type RecordedEvent, type Subscription } from '@keyledger/kms-domain';

/** Events read per page while the views catch up (start, rebuild). */
export const CATCH_UP_PAGE = 1000;

/** Progress of a catch-up or rebuild: events applied so far out of the head seen at its start. */
export interface CatchUpProgress {
  readonly applied: number;
  readonly head: number;
}

export interface KeyViewsOptions {
  /** Called once when a fold fails: the views stop (fail-stop) rather than skip an event. */
  readonly onError?: (error: unknown) => void;
}

/**
 * The one projection runner: keeps the persistent read models up to date from the store. At start
 * it resumes from the position stored with the rows (so start-up does not depend on the length of
 * the history), catches up a page at a time, then folds every live event of a subscription. It
 * announces each event it reads to listeners (cache invalidation on every instance, the signer
 * registry), reports its lag, wakes read-your-writes waiters, and stops on the first fold error.
 */
export class KeyViews {
  private applied = 0;
  private subscription: Subscription | null = null;
  private loop: Promise<void> | null = null;
  private failure: unknown = null;
  private readonly listeners = new Set<KeyViewsListener>();
  private readonly waiters = new Set<{ position: number; resolve: () => void }>();

  constructor(
    private readonly store: EventStore,
    /** The read models this runner feeds; queries read them directly. */
    readonly models: ReadModels,
    private readonly options: KeyViewsOptions = {},
  ) {}

  /**
   * Resumes from the stored position (a read model ahead of the store, i.e. a store replaced under
   * it, is rebuilt from zero), catches up to the head, then follows live appends. A fold that fails
   * during the catch-up fails the start (fail closed).
   */
  async start(onProgress?: (progress: CatchUpProgress) => void): Promise<void> {
    if (this.loop) return;
    const head = await this.store.headPosition();
    if (this.models.position() > head) this.models.reset();
    this.applied = this.models.position();
    await this.catchUp(head, onProgress);
    this.subscription = this.store.subscribe({ after: this.applied });
    this.loop = this.consume(this.subscription);
  }

  async stop(): Promise<void> {
    await this.subscription?.stop();
    await this.loop;
    this.subscription = null;
    this.loop = null;
  }

  /**
   * Drops every row and replays the whole store from zero, a page at a time (O(events) in total,
   * memory bounded by a page). Stops following first and follows again afterwards if it was.
   */
  async rebuild(onProgress?: (progress: CatchUpProgress) => void): Promise<void> {
    const wasRunning = this.loop !== null;
    await this.stop();
    this.models.reset();
    this.applied = 0;
    this.failure = null;
    if (wasRunning) await this.start(onProgress);
    else await this.catchUp(await this.store.headPosition(), onProgress);
  }

  appliedPosition(): number {
    return this.applied;
  }

  /** The error that stopped the fold, if any (reported by health and status). */
  error(): unknown {
    return this.failure;
  }

  /**
   * Readiness of the views: their lag, or an error when they stopped folding or trail the store by
   * more than `maxLagEvents` (VIEWS_MAX_LAG_EVENTS): an instance serving stale views is not ready.
   */
  async readiness(maxLagEvents: number): Promise<{ projectionLag: number }> {
    if (this.failure !== null) throw new Error('the status views stopped folding');
    const projectionLag = await this.lag();
    if (projectionLag > maxLagEvents) throw new Error(`the status views trail the store by ${projectionLag} events (VIEWS_MAX_LAG_EVENTS=${maxLagEvents})`);
    return { projectionLag };
  }

  /** How far the views trail the store head. */
  async lag(): Promise<number> {
    return Math.max(0, (await this.store.headPosition()) - this.applied);
  }

  /** Calls `listener` with every event read, stored and decoded (after the read models applied it). */
  onEvent(listener: KeyViewsListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves once the views applied `position` (read-your-writes after an append). */
  waitFor(position: number, timeoutMs = 5000): Promise<void> {
    if (this.applied >= position) return Promise.resolve();
    if (this.failure !== null) return Promise.reject(new Error('the status views stopped folding'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`views did not reach position ${position} within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = { position, resolve: () => (clearTimeout(timer), resolve()) };
      this.waiters.add(waiter);
    });
  }

  /**
   * Folds recorded events in global order (the live path; also used directly by tests). Every
   * event of a domain stream is decoded first: one that does not decode (EVENT_DECODE_FAILED) fails
   * the page, and the views stop there (fail-stop) rather than skip it. Events of other libs'
   * streams in the same store (the audit's checkpoints) are not the views' and are passed over.
   */
  apply(page: readonly RecordedEvent[]): void {
    if (page.length === 0) return;
    const decoded = page.map((recorded) => (isDomainStream(recorded.streamName) ? decodeEvent(recorded) : null));
    const projected: ProjectedEvent[] = [];
    for (let i = 0; i < page.length; i++) {
      const event = decoded[i];
      if (event !== null) projected.push({ event, streamName: page[i].streamName, position: page[i].position });
    }
    if (projected.length > 0) this.models.apply(projected);
    this.applied = Math.max(this.applied, page[page.length - 1].position);
    for (let i = 0; i < page.length; i++) for (const listener of this.listeners) listener(page[i], decoded[i]);
    for (const waiter of this.waiters) {
      if (waiter.position <= this.applied) {
        this.waiters.delete(waiter);
        waiter.resolve();
      }
    }
  }

  private async catchUp(head: number, onProgress?: (progress: CatchUpProgress) => void): Promise<void> {
    for (;;) {
      const page = await this.store.readAll({ after: this.applied, maxCount: CATCH_UP_PAGE });
      if (page.length > 0) this.apply(page);
      onProgress?.({ applied: this.applied, head: Math.max(head, this.applied) });
      if (page.length < CATCH_UP_PAGE) break;
    }
  }

  private async consume(subscription: Subscription): Promise<void> {
    try {
      for await (const recorded of subscription) this.apply([recorded]);
    } catch (error) {
      this.failure = error;
      this.options.onError?.(error);
      for (const waiter of this.waiters) waiter.resolve();
      this.waiters.clear();
    }
  }
}

/** What the views tell listeners: the stored event and its decoded form (null for another lib's stream). */
export type KeyViewsListener = (recorded: RecordedEvent, event: KeyledgerEvent | null) => void;
