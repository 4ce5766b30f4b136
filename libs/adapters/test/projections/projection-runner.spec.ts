import { RecordedEvent } from '@keyledger/kms-domain';
import { InMemoryEventStore } from '../../src/event-store/in-memory-event-store';
import { InMemoryCheckpointStore } from '../../src/projections/checkpoint-store';
import { keyledgerViewsFold } from '../../src/projections/keyledger-views';
import { ChangeNotification, ProjectionRunner } from '../../src/projections/projection-runner';
import { ViewFold } from '../../src/projections/view-fold';
import { testEvent } from '../event-store/fixtures';

type Counts = { readonly byType: Readonly<Record<string, number>>; readonly streams: readonly string[] };

const countingFold: ViewFold<Counts> = {
  initial: { byType: {}, streams: [] },
  apply: (view, e: RecordedEvent) => ({
    byType: { ...view.byType, [e.type]: (view.byType[e.type] ?? 0) + 1 },
    streams: view.streams.includes(e.streamName) ? view.streams : [...view.streams, e.streamName],
  }),
};

describe('ProjectionRunner', () => {
  let store: InMemoryEventStore;
  let checkpoints: InMemoryCheckpointStore;
  const runners: ProjectionRunner<unknown>[] = [];
  const runner = <V>(fold: ViewFold<V>, checkpointEvery = 1000): ProjectionRunner<V> => {
    const r = new ProjectionRunner(store, fold, { name: 'counts', checkpoints, checkpointEvery });
    runners.push(r as ProjectionRunner<unknown>);
    return r;
  };
  beforeEach(() => {
    store = new InMemoryEventStore();
    checkpoints = new InMemoryCheckpointStore();
  });
  afterEach(async () => {
    for (const r of runners.splice(0)) await r.stop();
  });

  it('catches up on history, follows live appends, and reports its lag', async () => {
    await store.append('key-a', [testEvent('KeyCreated'), testEvent('KeyRotated')]);
    const r = runner(countingFold);
    expect(await r.lag()).toBe(2);
    await r.start();
    await r.waitFor(2);
    expect(await r.lag()).toBe(0);
    const { position } = await store.append('key-b', [testEvent('KeyCreated')]);
    await r.waitFor(position);
    expect(r.view()).toEqual({ byType: { KeyCreated: 2, KeyRotated: 1 }, streams: ['key-a', 'key-b'] });
    expect(r.appliedPosition()).toBe(3);
  });

  it('emits a change notification with stream name and event type for every applied event', async () => {
    const changes: ChangeNotification[] = [];
    const r = runner(countingFold);
    r.onChange((c) => changes.push(c));
    await r.start();
    const { position } = await store.append('key-t1:k1', [testEvent('KeyRotated'), testEvent('KeyDisabled')]);
    await r.waitFor(position);
    expect(changes).toEqual([
      { streamName: 'key-t1:k1', eventType: 'KeyRotated', position: 1 },
      { streamName: 'key-t1:k1', eventType: 'KeyDisabled', position: 2 },
    ]);
  });

  it('resumes from its stored checkpoint without re-applying events', async () => {
    await store.append('key-a', [testEvent('KeyCreated'), testEvent('KeyRotated')]);
    const first = runner(countingFold, 1);
    await first.start();
    await first.waitFor(2);
    await first.stop();
    expect(await checkpoints.load('counts')).toMatchObject({ position: 2 });
    await store.append('key-a', [testEvent('KeyRotated')]);
    const second = runner(countingFold);
    await second.start();
    await second.waitFor(3);
    expect(second.view().byType).toEqual({ KeyCreated: 1, KeyRotated: 2 });
  });

  it('rebuilds from zero to the same view, discarding a view that drifted', async () => {
    await store.append('key-a', [testEvent('KeyCreated'), testEvent('KeyRotated')]);
    await checkpoints.save('counts', { position: 2, state: JSON.stringify({ byType: { Bogus: 9 }, streams: [] }) });
    const r = runner(countingFold);
    await r.start();
    expect(r.view().byType).toEqual({ Bogus: 9 });
    await r.rebuild();
    await r.waitFor(2);
    expect(r.view()).toEqual({ byType: { KeyCreated: 1, KeyRotated: 1 }, streams: ['key-a'] });
  });

  it('stops at an event its fold cannot apply instead of skipping it', async () => {
    const failures: (number | undefined)[] = [];
    const picky: ViewFold<number> = {
      initial: 0,
      apply: (n, e) => {
        if (e.type === 'KeyBroken') throw new Error('cannot fold');
        return n + 1;
      },
    };
    const r = new ProjectionRunner(store, picky, { name: 'picky', checkpoints, onError: (_e, event) => failures.push(event?.position) });
    runners.push(r as ProjectionRunner<unknown>);
    await store.append('key-a', [testEvent('KeyCreated'), testEvent('KeyBroken'), testEvent('KeyRotated')]);
    await r.start();
    await r.waitFor(1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(r.view()).toBe(1);
    expect(r.appliedPosition()).toBe(1);
    expect(failures).toEqual([2]);
    expect(r.error()).toBeInstanceOf(Error);
  });

  it("feeds the domain's views: a signing freeze shows up in the signing-freeze view", async () => {
    const r = runner(keyledgerViewsFold());
    await r.start();
    const frozen = { type: 'SigningFrozen', schemaVersion: 1, data: { scope: { kind: 'global' }, reason: 'provider outage', frozenBy: 'user:ops', frozenAt: '2025-02-01T00:00:00.000Z' } };
    const { position } = await store.append('signingfreeze-global', [{ ...testEvent(), ...frozen }]);
    await r.waitFor(position);
    expect(r.view().signingFreeze.scopes['global']).toMatchObject({ status: 'Frozen', reason: 'provider outage', changedBy: 'user:ops' });
    expect(r.view().keys.position).toBe(position);
  });
});
