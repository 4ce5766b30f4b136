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

  it('confirms an outage only while the instance is out, with its position', () => {
    const confirm = { type: 'ConfirmBreakerOutage', ...base } as BreakerTransitionCommand;
    spec.given([opened]).when(confirm).then([
      { type: 'BreakerOutageConfirmed', schemaVersion: 1, data: { name: 'kms-signing-key', instance: 'api-1', from: 'open', position: 'open', confirmedAt: at } },
    ]);
    spec.given([opened, halfOpened]).when(confirm).then([
      { type: 'BreakerOutageConfirmed', schemaVersion: 1, data: { name: 'kms-signing-key', instance: 'api-1', from: 'half-open', position: 'half-open', confirmedAt: at } },
    ]);
    spec.given([]).when(confirm).then([]);
  });

  it('ends the outage of a stopped or dead instance, which is closed after it', () => {
    const end = (patch: Record<string, unknown> = {}) => ({ type: 'EndBreakerOutage', ...base, reason: 'instance-restarted', recordedBy: 'api-2', ...patch }) as BreakerTransitionCommand;
    const { events, state } = spec.given([opened, halfOpened]).when(end()).run();
    expect(events).toEqual([
      { type: 'BreakerOutageEnded', schemaVersion: 1, data: { name: 'kms-signing-key', instance: 'api-1', from: 'half-open', reason: 'instance-restarted', recordedBy: 'api-2', endedAt: at } },
    ]);
    expect(state.positions['api-1']).toBe('closed');
    spec.given([]).when(end()).then([]);
    spec.given([opened]).when(end({ reason: 'bored' })).thenThrows('VALIDATION_FAILED');
    spec.given([opened]).when(end({ recordedBy: '' })).thenThrows('VALIDATION_FAILED');
  });

  it('refuses unknown commands and fails loudly on unknown events', () => {
    spec.given([]).when({ ...halfOpen, type: 'RecordBreakerExploded' } as never).thenThrows('VALIDATION_FAILED');
    expect(() => breakerTransitionsDecider.evolve({ positions: {} }, { type: 'X', data: {} } as never)).toThrow('Unhandled');
  });
});
