import { InMemoryEventStore } from '../../src/event-store/in-memory-event-store';
import { TimedEventStore } from '../../src/event-store/timed-event-store';
import { eventStoreContract } from './contract';
import { testEvent, uniqueStream } from './fixtures';

// The decorator is an adapter of the port like any other: the whole contract holds through it.
eventStoreContract('timed (over in-memory)', {
  create: async () => new TimedEventStore(new InMemoryEventStore(), 'memory', () => undefined),
  dispose: (store) => store.close(),
});

describe('TimedEventStore', () => {
  it('reports one duration per append, failed appends included, under the store name it was given', async () => {
    const timings: [string, number][] = [];
    let clock = 0;
    const store = new TimedEventStore(new InMemoryEventStore(), 'embedded', (name, seconds) => void timings.push([name, seconds]), () => (clock += 2.5));
    const stream = uniqueStream();
    await store.append(stream, [testEvent()]);
    await expect(store.append(stream, [testEvent()], { expectedRevision: 'no-stream' })).rejects.toMatchObject({ code: 'CONCURRENCY_CONFLICT' });
    await store.readStream(stream);
    await store.headPosition();
    expect(timings).toEqual([
      ['embedded', 0.0025],
      ['embedded', 0.0025],
    ]);
    await store.close();
  });
});
