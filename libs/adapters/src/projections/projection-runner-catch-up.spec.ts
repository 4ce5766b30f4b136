import { randomUUID } from 'node:crypto';
import { NewEvent, RecordedEvent } from '@keyledger/kms-domain';
import { InMemoryEventStore } from '../event-store/in-memory-event-store';
import { InMemoryCheckpointStore } from './checkpoint-store';
import { keyledgerViewsFold } from './keyledger-views';
import { CATCH_UP_PAGE_SIZE, ChangeNotification, ProjectionRunner } from './projection-runner';
import { ViewFold } from './view-fold';

const at = (i: number) => new Date(Date.UTC(2025, 0, 1) + i * 1000).toISOString();
function freezeEvent(i: number): NewEvent {
  const scope = i % 7 === 0 ? { kind: 'global' } : { kind: 'tenant', tenantId: `tenant-${i % 13}` };
  const data = i % 2 === 0 ? { scope, reason: `drill ${i}`, frozenBy: 'user:ops', frozenAt: at(i) } : { scope, resumedBy: 'user:ops', resumedAt: at(i) };
  const metadata = { eventId: randomUUID(), occurredAt: at(i), actor: 'user:ops', correlationId: randomUUID(), causationId: null };
  return { type: i % 2 === 0 ? 'SigningFrozen' : 'SigningResumed', schemaVersion: 1, data, metadata };
}

/** A fold that counts events and records the size of every page it was handed. */
function pageCounting(pages: number[], failAt?: number): ViewFold<number> {
  const apply = (n: number, e: RecordedEvent) => {
    if (e.position === failAt) throw new Error('cannot fold');
    return n + 1;
  };
  return { initial: 0, apply, applyAll: (n, events) => (pages.push(events.length), events.reduce(apply, n)) };
}

describe('ProjectionRunner catch-up in pages', () => {
  const total = CATCH_UP_PAGE_SIZE + 37;
  let store: InMemoryEventStore;
  const runners: ProjectionRunner<unknown>[] = [];
  const start = async <V>(fold: ViewFold<V>, onError?: (error: unknown, event: RecordedEvent | null) => void) => {
    const r = new ProjectionRunner(store, fold, { name: 'catch-up', checkpoints: new InMemoryCheckpointStore(), onError });
    runners.push(r as ProjectionRunner<unknown>);
    await r.start();
    return r;
  };

  beforeEach(async () => {
    store = new InMemoryEventStore();
    const events = Array.from({ length: total }, (_, i) => freezeEvent(i));
    for (let i = 0; i < total; i += 100) await store.append(`signingfreeze-batch-${i}`, events.slice(i, i + 100));
  });
  afterEach(async () => {
    for (const r of runners.splice(0)) await r.stop();
  });

  it('folds history a page at a time and still notifies every event in order', async () => {
    const pages: number[] = [];
    const changes: ChangeNotification[] = [];
    const r = new ProjectionRunner(store, pageCounting(pages), { name: 'pages' });
    runners.push(r as ProjectionRunner<unknown>);
    r.onChange((c) => changes.push(c));
    await r.start();
    await r.waitFor(total);
    expect(pages).toEqual([CATCH_UP_PAGE_SIZE, 37]);
    expect(r.view()).toBe(total);
    expect(changes.map((c) => c.position)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    const { position } = await store.append('signingfreeze-live', [freezeEvent(total)]);
    await r.waitFor(position);
    expect(r.view()).toBe(total + 1);
  });

  it('builds the same domain views as folding each event on its own', async () => {
    const r = await start(keyledgerViewsFold());
    await r.waitFor(total);
    const fold = keyledgerViewsFold();
    const oneByOne = (await store.readAll({ maxCount: total })).reduce((views, e) => fold.apply(views, e), fold.initial);
    expect(r.view()).toEqual(oneByOne);
    expect(Object.keys(r.view().signingFreeze.scopes)).toHaveLength(14);
  });

  it('stops right before an event the fold cannot apply, and names that event', async () => {
    const failures: (number | undefined)[] = [];
    const bad = CATCH_UP_PAGE_SIZE + 10;
    const r = await start(pageCounting([], bad), (_e, event) => failures.push(event?.position));
    await r.waitFor(bad - 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(r.view()).toBe(bad - 1);
    expect(r.appliedPosition()).toBe(bad - 1);
    expect(failures).toEqual([bad]);
    expect(r.error()).toBeInstanceOf(Error);
  });

  it('reports a store that fails while catching up', async () => {
    const failures: unknown[] = [];
    await store.close();
    const r = await start(pageCounting([]), (e) => failures.push(e));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(failures).toHaveLength(1);
    expect(r.error()).toBe(failures[0]);
  });
});
