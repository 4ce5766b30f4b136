import {
  breakersProjection,
  keysProjection,
  signerRegistryProjection,
  signingFreezeProjection,
  type BreakersView,
  type EventStore,
  type KeyledgerEvent,
  type KeysView,
  type ProjectedEvent,
  type RecordedEvent,
  type SignerRegistryView,
  type SigningFreezeView,
  type Subscription,
} from '@keyledger/kms-domain';

/** The status views the key operations read on the request path. */
export interface KeyViewsSnapshot {
  readonly keys: KeysView;
  readonly freeze: SigningFreezeView;
  readonly signers: SignerRegistryView;
  readonly breakers: BreakersView;
}

/**
 * Keeps the status views in memory, folded from a catch-up subscription to the store, and
 * announces every event to listeners (cache invalidation on every instance, signing freeze). Pure
 * folds from kms-domain; rebuilt by replay at start.
 */
export class KeyViews {
  private views: KeyViewsSnapshot = {
    keys: keysProjection.initial,
    freeze: signingFreezeProjection.initial,
    signers: signerRegistryProjection.initial,
    breakers: breakersProjection.initial,
  };
  private readonly tenantOfKey = new Map<string, string>();
  private applied = 0;
  private subscription: Subscription | null = null;
  private loop: Promise<void> | null = null;
  private failure: unknown = null;
  private readonly listeners = new Set<(event: RecordedEvent) => void>();
  private readonly waiters = new Set<{ position: number; resolve: () => void }>();

  constructor(private readonly store: EventStore) {}

  /**
   * Replays the store up to its head a page at a time (each view folds a page with one table copy,
   * where folding event by event copied a table per event: minutes for 100k events), then follows
   * live appends. A fold that fails during the replay fails the start (fail closed).
   */
  async start(): Promise<void> {
    if (this.loop) return;
    for (;;) {
      const page = await this.store.readAll({ after: this.applied, maxCount: CATCH_UP_PAGE });
      if (page.length > 0) this.applyPage(page);
      if (page.length < CATCH_UP_PAGE) break;
    }
    this.subscription = this.store.subscribe({ after: this.applied });
    this.loop = this.consume(this.subscription);
  }

  async stop(): Promise<void> {
    await this.subscription?.stop();
    await this.loop;
    this.subscription = null;
    this.loop = null;
  }

  snapshot(): KeyViewsSnapshot {
    return this.views;
  }

  /** The tenant owning a key id (key ids are unique across tenants), if known. */
  tenantOf(keyId: string): string | undefined {
    return this.tenantOfKey.get(keyId);
  }

  appliedPosition(): number {
    return this.applied;
  }

  /** The error that stopped the fold, if any (reported by health and status). */
  error(): unknown {
    return this.failure;
  }

  /** How far the views trail the store head. */
  async lag(): Promise<number> {
    return Math.max(0, (await this.store.headPosition()) - this.applied);
  }

  onEvent(listener: (event: RecordedEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves once the views applied `position` (read-your-writes after an append). */
  waitFor(position: number, timeoutMs = 5000): Promise<void> {
    if (this.applied >= position) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`views did not reach position ${position} within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = { position, resolve: () => (clearTimeout(timer), resolve()) };
      this.waiters.add(waiter);
    });
  }

  /** Folds one recorded event (also used directly by tests). */
  apply(recorded: RecordedEvent): void {
    this.applyPage([recorded]);
  }

  /**
   * Folds a page of recorded events in global order through each projection's `applyAll` (one
   * table copy per changed view per page; the same views as folding the events one by one).
   */
  private applyPage(page: readonly RecordedEvent[]): void {
    const projected = page.map(projectedOf);
    const v = this.views;
    this.views = {
      keys: keysProjection.applyAll(v.keys, projected),
      freeze: signingFreezeProjection.applyAll(v.freeze, projected),
      signers: signerRegistryProjection.applyAll(v.signers, projected),
      breakers: breakersProjection.applyAll(v.breakers, projected),
    };
    this.applied = Math.max(this.applied, page[page.length - 1].position);
    this.announce(projected, page);
  }

  /** Records key owners, tells the listeners about each event and wakes the waiters the views reached. */
  private announce(projected: readonly ProjectedEvent[], recorded: readonly RecordedEvent[]): void {
    for (const p of projected) if (p.event.type === 'KeyCreated') this.tenantOfKey.set(p.event.data.keyId, p.event.data.tenantId);
    for (const event of recorded) for (const listener of this.listeners) listener(event);
    for (const waiter of this.waiters) {
      if (waiter.position <= this.applied) {
        this.waiters.delete(waiter);
        waiter.resolve();
      }
    }
  }

  private async consume(subscription: Subscription): Promise<void> {
    try {
      for await (const recorded of subscription) this.apply(recorded);
    } catch (error) {
      this.failure = error;
    }
  }
}

/** Events read per page while the views replay the store at start. */
const CATCH_UP_PAGE = 1000;

function projectedOf(recorded: RecordedEvent): ProjectedEvent {
  return {
    event: { type: recorded.type, schemaVersion: recorded.schemaVersion, data: recorded.data } as KeyledgerEvent,
    streamName: recorded.streamName,
    position: recorded.position,
  };
}
