import { breakerTransitionsDecider, deciderSpec, type BreakerEvent, type BreakerTransitionCommand } from '../index';

const now = new Date('2025-03-01T10:00:00.000Z');
const at = now.toISOString();
const spec = deciderSpec(breakerTransitionsDecider);
const base = { name: 'kms-signing-key', instance: 'api-1', now };
const open = (patch: Record<string, unknown> = {}) =>
  ({ type: 'RecordBreakerOpened', ...base, failures: 5, calls: 10, failureRatio: 0.5, ...patch }) as BreakerTransitionCommand;
const halfOpen = { type: 'RecordBreakerHalfOpened', ...base } as BreakerTransitionCommand;
const close = (patch: Record<string, unknown> = {}) =>
  ({ type: 'RecordBreakerClosed', ...base, consecutiveSuccesses: 3, ...patch }) as BreakerTransitionCommand;

const opened: BreakerEvent = {
  type: 'BreakerOpened',
  schemaVersion: 1,
  data: { name: 'kms-signing-key', instance: 'api-1', from: 'closed', failures: 5, calls: 10, failureRatio: 0.5, openedAt: at },
};
const halfOpened: BreakerEvent = {
  type: 'BreakerHalfOpened',
  schemaVersion: 1,
  data: { name: 'kms-signing-key', instance: 'api-1', from: 'open', halfOpenedAt: at },
};

describe('breaker transitions', () => {
  it('records opened with its failure figures', () => {
    spec.given([]).when(open()).then([opened]);
  });

  it('records half-opened and closed after it', () => {
    spec.given([opened]).when(halfOpen).then([halfOpened]);
    spec.given([opened, halfOpened]).when(close()).then([
      {
        type: 'BreakerClosed',
        schemaVersion: 1,
        data: { name: 'kms-signing-key', instance: 'api-1', from: 'half-open', consecutiveSuccesses: 3, closedAt: at },
      },
    ]);
  });

  it('a half-open failure reopens, recorded with from half-open', () => {
    const { events } = spec.given([opened, halfOpened]).when(open({ failures: 1, calls: 1, failureRatio: 1 })).run();
    expect(events[0].data).toMatchObject({ from: 'half-open', failureRatio: 1 });
  });

  it('a repeated report of the current position records nothing', () => {
    spec.given([opened]).when(open()).then([]);
    spec.given([]).when(close()).then([]);
  });

  it('tracks instances separately', () => {
    const { events } = spec.given([opened]).when(open({ instance: 'api-2' })).run();
    expect(events[0].data).toMatchObject({ instance: 'api-2', from: 'closed' });
  });

  it.each([
    ['failures above calls', open({ failures: 11 })],
    ['ratio above 1', open({ failureRatio: 1.5 })],
    ['negative calls', open({ calls: -1 })],
    ['negative successes', close({ consecutiveSuccesses: -1 })],
    ['bad name', open({ name: 'kms signing' })],
    ['empty instance', open({ instance: '' })],
    ['invalid now', open({ now: new Date(NaN) })],
  ])('refuses %s', (_name, command) => {
    spec.given([opened, halfOpened]).when(command).thenThrows('VALIDATION_FAILED');
  });

  it('refuses unknown commands and fails loudly on unknown events', () => {
    spec.given([]).when({ ...halfOpen, type: 'RecordBreakerExploded' } as never).thenThrows('VALIDATION_FAILED');
    expect(() => breakerTransitionsDecider.evolve({ positions: {} }, { type: 'X', data: {} } as never)).toThrow('Unhandled');
  });
});
