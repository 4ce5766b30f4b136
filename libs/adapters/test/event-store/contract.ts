import { EventStore, GENESIS_HASH, RecordedEvent, WrongExpectedRevisionError } from '@keyledger/kms-domain';
import { verifyEventStore } from '../../src/event-store/verify';
import { take, testEvent, uniqueStream } from './fixtures';
import { validationContract } from './contract-validation';

/** Builds a fresh store for one test file; `dispose` closes it and removes whatever it created. */
export interface StoreFactory {
  create(): Promise<EventStore>;
  dispose(store: EventStore): Promise<void>;
}

/**
 * The event store contract, written once and run unchanged against every adapter. Tests use
 * their own stream names and read the head first, so they also hold against a shared server.
 */
export function eventStoreContract(name: string, factory: StoreFactory): void {
  describe(`EventStore contract: ${name}`, () => {
    let store: EventStore;
    beforeAll(async () => {
      store = await factory.create();
    });
    afterAll(async () => {
      await factory.dispose(store);
    });
    const s = (): EventStore => store;

    appendContract(s);
    concurrencyContract(s);
    readContract(s);
    subscribeContract(s);
    deleteContract(s);
    validationContract(s);
  });
}

function appendContract(store: () => EventStore): void {
  it('appends to a new stream and reads the event back with its metadata and chain', async () => {
    const stream = uniqueStream();
    const event = testEvent('KeyCreated', { keyId: 'k1', nested: { b: 2, a: [1, 'x', null, true] } }, { causationId: 'cmd-1' });
    const result = await store().append(stream, [event], { expectedRevision: 'no-stream' });
    expect(result.revision).toBe(0);
    expect(result.position).toBeGreaterThan(0);
    const [read] = await store().readStream(stream);
    expect(read).toMatchObject({ streamName: stream, revision: 0, position: result.position, type: 'KeyCreated', schemaVersion: 1, data: event.data });
    expect(read.metadata).toMatchObject({ ...event.metadata, type: 'KeyCreated', schemaVersion: 1, prevHash: GENESIS_HASH });
    expect(read.metadata.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('appends several events atomically with contiguous revisions, rising positions and linked hashes', async () => {
    const stream = uniqueStream();
    await store().append(stream, [testEvent('KeyCreated')]);
    const result = await store().append(stream, [testEvent('KeyRotated'), testEvent('KeyRotated'), testEvent('KeyDisabled')], { expectedRevision: 0 });
    expect(result.revision).toBe(3);
    const events = await store().readStream(stream);
    expect(events.map((e) => e.revision)).toEqual([0, 1, 2, 3]);
    expect(events.map((e) => e.type)).toEqual(['KeyCreated', 'KeyRotated', 'KeyRotated', 'KeyDisabled']);
    for (let i = 1; i < events.length; i++) {
      expect(events[i].position).toBeGreaterThan(events[i - 1].position);
      expect(events[i].metadata.prevHash).toBe(events[i - 1].metadata.hash);
    }
    expect(result.position).toBe(events[3].position);
    await expect(verifyEventStore(store(), { streamName: stream })).resolves.toMatchObject({ ok: true, eventsChecked: 4 });
  });
}

function concurrencyContract(store: () => EventStore): void {
  it.each([
    ['a wrong number', 5, 0],
    ['no-stream on an existing stream', 'no-stream', 0],
  ] as const)('refuses %s with a typed conflict carrying both revisions and writes nothing', async (_label, expected, actual) => {
    const stream = uniqueStream();
    await store().append(stream, [testEvent()]);
    const error = await store().append(stream, [testEvent('KeyRotated')], { expectedRevision: expected }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WrongExpectedRevisionError);
    expect(error).toMatchObject({ code: 'CONCURRENCY_CONFLICT', streamName: stream, expected, actual });
    expect(await store().readStream(stream)).toHaveLength(1);
  });

  it('refuses stream-exists on a missing stream and accepts it, any and the right number otherwise', async () => {
    const stream = uniqueStream();
    await expect(store().append(stream, [testEvent()], { expectedRevision: 'stream-exists' })).rejects.toMatchObject({ code: 'CONCURRENCY_CONFLICT', actual: 'no-stream' });
    await store().append(stream, [testEvent()], { expectedRevision: 'any' });
    await store().append(stream, [testEvent()], { expectedRevision: 'stream-exists' });
    await expect(store().append(stream, [testEvent()], { expectedRevision: 1 })).resolves.toMatchObject({ revision: 2 });
  });

  it('lets exactly one of several concurrent appends with the same expected revision win', async () => {
    const stream = uniqueStream();
    await store().append(stream, [testEvent()]);
    const outcomes = await Promise.allSettled(Array.from({ length: 6 }, () => store().append(stream, [testEvent('KeyRotated')], { expectedRevision: 0 })));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const rejected = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(rejected.every((o) => (o.reason as { code?: string }).code === 'CONCURRENCY_CONFLICT')).toBe(true);
    expect(await store().readStream(stream)).toHaveLength(2);
  });

  it('commits concurrent any-revision appends to one stream without losing any and keeps the chain intact', async () => {
    const stream = uniqueStream();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store().append(stream, [testEvent('KeyRotated', { i })])));
    expect(new Set(results.map((r) => r.revision)).size).toBe(20);
    const events = await store().readStream(stream);
    expect(events.map((e) => (e.data as { i: number }).i).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    await expect(verifyEventStore(store(), { streamName: stream })).resolves.toMatchObject({ ok: true, eventsChecked: 20 });
  });
}

function readContract(store: () => EventStore): void {
  it('reads a stream from a revision with a maximum count, and an unknown stream as empty', async () => {
    const stream = uniqueStream();
    await store().append(stream, Array.from({ length: 5 }, (_, i) => testEvent('KeyRotated', { i })));
    const page = await store().readStream(stream, { fromRevision: 2, maxCount: 2 });
    expect(page.map((e) => e.revision)).toEqual([2, 3]);
    expect(await store().readStream(uniqueStream())).toEqual([]);
  });

  it('reads all streams in global order strictly after a position, and reports the head', async () => {
    const before = await store().headPosition();
    const [a, b] = [uniqueStream(), uniqueStream()];
    await store().append(a, [testEvent('KeyCreated', { n: 1 })]);
    await store().append(b, [testEvent('KeyCreated', { n: 2 }), testEvent('KeyRotated', { n: 3 })]);
    const last = await store().append(a, [testEvent('KeyRotated', { n: 4 })]);
    expect(await store().headPosition()).toBe(last.position);
    const mine = (await store().readAll({ after: before })).filter((e) => e.streamName === a || e.streamName === b);
    expect(mine.map((e) => (e.data as { n: number }).n)).toEqual([1, 2, 3, 4]);
    const positions = mine.map((e) => e.position);
    expect([...positions].sort((x, y) => x - y)).toEqual(positions);
    const afterSecond = await store().readAll({ after: mine[1].position, maxCount: 2 });
    expect(afterSecond.map((e) => e.position)).toEqual([mine[2].position, mine[3].position]);
  });
}

function subscribeContract(store: () => EventStore): void {
  it('catches up from a position, then delivers live appends until stopped', async () => {
    const before = await store().headPosition();
    const stream = uniqueStream();
    await store().append(stream, [testEvent('KeyCreated', { n: 1 }), testEvent('KeyRotated', { n: 2 })]);
    const subscription = store().subscribe({ after: before });
    const iterator = subscription[Symbol.asyncIterator]();
    const mine = (events: RecordedEvent[]): number[] => events.filter((e) => e.streamName === stream).map((e) => (e.data as { n: number }).n);
    expect(mine(await take(iterator, 2))).toEqual([1, 2]);
    const live = take(iterator, 1);
    await store().append(stream, [testEvent('KeyRotated', { n: 3 })]);
    expect(mine(await live)).toEqual([3]);
    await subscription.stop();
    await expect(iterator.next()).resolves.toMatchObject({ done: true });
  });
}

function deleteContract(store: () => EventStore): void {
  it('deletes a stream for good: it reads empty, refuses appends, and other streams keep verifying', async () => {
    const [doomed, kept] = [uniqueStream('material'), uniqueStream()];
    await store().append(doomed, [testEvent('KeyMaterialWrapped', { wrapped: 'opaque' })]);
    await store().append(kept, [testEvent()]);
    await store().deleteStream(doomed);
    expect(await store().readStream(doomed)).toEqual([]);
    await expect(store().append(doomed, [testEvent()])).rejects.toMatchObject({ code: 'STREAM_DELETED', streamName: doomed });
    await expect(store().append(doomed, [testEvent()], { expectedRevision: 'no-stream' })).rejects.toMatchObject({ code: 'STREAM_DELETED' });
    await expect(verifyEventStore(store(), { streamName: kept })).resolves.toMatchObject({ ok: true });
  });
}
