import type { ReadStreamOptions, RecordedEvent } from './event-store';
import { readWholeStream } from './event-store';

/** A stream of `length` events behind a readStream that, like the adapters, returns at most `cap` per call. */
function cappedStream(length: number, cap: number) {
  const calls: ReadStreamOptions[] = [];
  const events = Array.from({ length }, (_, revision) => ({ streamName: 's', revision, position: revision + 1 }) as RecordedEvent);
  return {
    calls,
    readStream: async (_name: string, options: ReadStreamOptions = {}) => {
      calls.push(options);
      const from = options.fromRevision ?? 0;
      return events.slice(from, from + Math.min(options.maxCount ?? cap, cap));
    },
  };
}

describe('readWholeStream', () => {
  it.each([0, 1, 999, 1000, 1001, 25_000])('returns all %i events in order, page by page', async (length) => {
    const store = cappedStream(length, 10_000);
    const events = await readWholeStream(store, 's');
    expect(events.map((e) => e.revision)).toEqual(Array.from({ length }, (_, i) => i));
    expect(store.calls.length).toBe(Math.floor(length / 1000) + 1);
  });

  it('pages with the size it is given', async () => {
    const store = cappedStream(2500, 700);
    const events = await readWholeStream(store, 's', 700);
    expect(events).toHaveLength(2500);
    expect(store.calls.map((c) => c.fromRevision)).toEqual([0, 700, 1400, 2100]);
  });
});
