import { randomUUID } from 'node:crypto';
import { FixedClock, InMemoryReadModels, breakerStream, breakerTransitionsDecider, type BreakerEvent, type BreakerTransitionCommand } from '@keyledger/kms-domain';
import type { BreakerTransition } from '@keyledger/resilience';
import { BreakerTransitionRecorder, KeyViews } from '../src';
import { toNewEvents } from '../src/keys/event-context';
import { MemoryProvider } from './support/memory-provider';
import { MemoryStore, READ_CAP } from './support/memory-store';

const NAME = 'kms-signing-key';
const window = { size: 10, calls: 10, failures: 6, failureRatio: 0.6 };

/** `cycles` full open → half-open → closed cycles, as the decider emits them. */
function flapping(cycles: number): BreakerEvent[] {
  let state = breakerTransitionsDecider.initialState();
  const events: BreakerEvent[] = [];
  const base = { name: NAME, instance: 'api-1', now: new Date('2026-01-01T00:00:00Z') };
  const commands: BreakerTransitionCommand[] = [
    { ...base, type: 'RecordBreakerOpened', failures: 6, calls: 10, failureRatio: 0.6 },
    { ...base, type: 'RecordBreakerHalfOpened' },
    { ...base, type: 'RecordBreakerClosed', consecutiveSuccesses: 3 },
  ];
  for (let i = 0; i < cycles; i++) {
    for (const command of commands) {
      const decided = breakerTransitionsDecider.decide(command, state) as BreakerEvent[];
      for (const event of decided) state = breakerTransitionsDecider.evolve(state, event);
      events.push(...decided);
    }
  }
  return events;
}

describe('streams longer than one read', () => {
  it('a breaker that flapped past the read cap still records its next transition', async () => {
    const store = new MemoryStore();
    const clock = new FixedClock(new Date('2026-01-02T00:00:00Z'));
    const history = flapping(Math.ceil(READ_CAP / 3) + 10);
    expect(history.length).toBeGreaterThan(READ_CAP);
    await store.append(breakerStream(NAME), toNewEvents(history, { subject: 'service:api-1', correlationId: 'seed' }, new Date('2026-01-01T00:00:00Z'), { next: () => randomUUID() }));

    const errors: unknown[] = [];
    const ports = { store, provider: new MemoryProvider(), clock, ids: { next: () => randomUUID() } };
    const recorder = new BreakerTransitionRecorder(ports, 'api-1', new InMemoryReadModels().breakers, { onError: (e) => errors.push(e) });
    const opened = { name: NAME, from: 'closed', to: 'open', at: clock.now(), window, halfOpenSuccesses: 0, isolated: false } as unknown as BreakerTransition;
    recorder.enqueue(opened);
    await recorder.flush();

    expect(errors).toEqual([]);
    const stream = store.log.filter((e) => e.streamName === breakerStream(NAME));
    expect(stream.length).toBe(history.length + 1);
    expect(stream[stream.length - 1]).toMatchObject({ type: 'BreakerOpened', revision: history.length });
  });
});

const breakerEntry = (views: KeyViews) => views.models.breakers.get(NAME, 'api-1');

describe('views replaying a store longer than one read', () => {
  it('folds every page at start, tells listeners about each event once, then follows live appends', async () => {
    const store = new MemoryStore();
    const ids = { next: () => randomUUID() };
    const history = flapping(Math.ceil((2.5 * READ_CAP) / 3));
    await store.append(breakerStream(NAME), toNewEvents(history, { subject: 'service:api-1', correlationId: 'seed' }, new Date('2026-01-01T00:00:00Z'), ids));
    const views = new KeyViews(store, new InMemoryReadModels());
    const seen: number[] = [];
    views.onEvent((e) => seen.push(e.position));
    await views.start();
    try {
      expect(views.appliedPosition()).toBe(history.length);
      expect(seen).toEqual(Array.from({ length: history.length }, (_, i) => i + 1));
      expect(breakerEntry(views)).toMatchObject({ state: 'closed', openCount: Math.ceil((2.5 * READ_CAP) / 3) });

      const state = history.reduce((st, e) => breakerTransitionsDecider.evolve(st, e), breakerTransitionsDecider.initialState());
      const next = breakerTransitionsDecider.decide({ name: NAME, instance: 'api-1', now: new Date('2026-01-03T00:00:00Z'), type: 'RecordBreakerOpened', failures: 6, calls: 10, failureRatio: 0.6 }, state) as BreakerEvent[];
      const appended = await store.append(breakerStream(NAME), toNewEvents(next, { subject: 'service:api-1', correlationId: 'live' }, new Date('2026-01-03T00:00:00Z'), ids));
      await views.waitFor(appended.position);
      expect(breakerEntry(views)).toMatchObject({ state: 'open' });
      expect(seen).toHaveLength(history.length + 1);
    } finally {
      await views.stop();
    }
  });
});
