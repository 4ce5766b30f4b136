import { breakerGaugeValue, breakerRows, breakersProjection, breakerStream, replay, type BreakerEvent } from '../index';
import { inStream } from '../../test/fixtures/projected';

const t = (s: number) => new Date(Date.UTC(2025, 2, 1, 10, 0, s)).toISOString();
const ref = (instance = 'api-1') => ({ name: 'kms-signing-key', instance });
const opened = (s: number, instance?: string): BreakerEvent => ({
  type: 'BreakerOpened',
  schemaVersion: 1,
  data: { ...ref(instance), from: 'closed', failures: 6, calls: 10, failureRatio: 0.6, openedAt: t(s) },
});
const halfOpened = (s: number): BreakerEvent => ({
  type: 'BreakerHalfOpened',
  schemaVersion: 1,
  data: { ...ref(), from: 'open', halfOpenedAt: t(s) },
});
const closed = (s: number): BreakerEvent => ({
  type: 'BreakerClosed',
  schemaVersion: 1,
  data: { ...ref(), from: 'half-open', consecutiveSuccesses: 3, closedAt: t(s) },
});
const stream = breakerStream('kms-signing-key');

describe('breakers view', () => {
  it('tracks each instance through open, half-open and closed with the opening figures', () => {
    const view = replay(breakersProjection, inStream(stream, [opened(0), halfOpened(5), closed(6), opened(9, 'api-2')]));
    expect(breakerRows(view)).toEqual([
      {
        name: 'kms-signing-key',
        instance: 'api-1',
        state: 'closed',
        since: t(6),
        openCount: 1,
        lastOpenedAt: t(0),
        lastFailures: 6,
        lastCalls: 10,
        lastFailureRatio: 0.6,
        outSince: null,
        confirmedAt: t(6),
      },
      expect.objectContaining({ instance: 'api-2', state: 'open', openCount: 1, since: t(9), outSince: t(9) }),
    ]);
  });

  it('keeps the moment an instance left closed while it flaps between open and half-open', () => {
    const view = replay(breakersProjection, inStream(stream, [opened(0), halfOpened(5), opened(6), halfOpened(11)]));
    expect(breakerRows(view)[0]).toMatchObject({ state: 'half-open', since: t(11), outSince: t(0) });
  });

  it('a confirmation moves only confirmedAt; an end closes the instance and says why', () => {
    const confirmed = { type: 'BreakerOutageConfirmed', schemaVersion: 1, data: { name: 'kms-signing-key', instance: 'api-1', from: 'open', position: 'open', confirmedAt: t(20) } } as const;
    const ended = { type: 'BreakerOutageEnded', schemaVersion: 1, data: { name: 'kms-signing-key', instance: 'api-1', from: 'open', reason: 'instance-stopped', recordedBy: 'api-1', endedAt: t(30) } } as const;
    const renewedView = replay(breakersProjection, inStream(stream, [opened(0), confirmed]));
    expect(breakerRows(renewedView)[0]).toMatchObject({ state: 'open', since: t(0), outSince: t(0), confirmedAt: t(20) });
    const endedView = replay(breakersProjection, inStream(stream, [opened(0), confirmed, ended]));
    expect(breakerRows(endedView)[0]).toMatchObject({ state: 'closed', since: t(30), outSince: null, endedBecause: 'instance-stopped' });
    const reopened = replay(breakersProjection, inStream(stream, [opened(0), confirmed, ended, opened(40)]));
    expect(breakerRows(reopened)[0]).not.toHaveProperty('endedBecause');
  });

  it('starts an instance first seen half-open from closed defaults', () => {
    const view = replay(breakersProjection, inStream(stream, [halfOpened(5)]));
    expect(breakerRows(view)[0]).toMatchObject({ state: 'half-open', openCount: 0, lastOpenedAt: null });
  });

  it('counts reopenings', () => {
    const view = replay(breakersProjection, inStream(stream, [opened(0), halfOpened(5), opened(6)]));
    expect(breakerRows(view)[0]).toMatchObject({ state: 'open', openCount: 2, lastOpenedAt: t(6) });
  });

  it('maps positions to the circuit_breaker_state gauge', () => {
    expect([breakerGaugeValue('closed'), breakerGaugeValue('open'), breakerGaugeValue('half-open')]).toEqual([0, 1, 2]);
    expect(() => breakerGaugeValue('melted' as never)).toThrow('Unhandled');
  });

  it('ignores other events but advances its position', () => {
    const view = replay(breakersProjection, inStream('signerregistry-global', [
      { type: 'SignerRetired', schemaVersion: 2, data: { kid: 'k', reason: null, retiredAt: t(0) } },
    ], 7));
    expect(view).toEqual({ position: 7, breakers: {} });
  });
});
