import {
  breakGlassProjection,
  breakGlassStream,
  replay,
  sessionsAwaitingKeyDestruction,
  sessionsDueForExpiry,
  sessionsWithStatus,
  type BreakGlassEvent,
} from '../index';
import {
  activeSession,
  bt,
  closed,
  keyDestroyed,
  keyLost,
  requested,
  SESSION,
  signed,
} from '../../test/fixtures/break-glass-fixtures';
import { inStream } from '../../test/fixtures/projected';

const stream = breakGlassStream(SESSION);

describe('break-glass sessions view', () => {
  it('lists requested sessions for the approvers', () => {
    const view = replay(breakGlassProjection, inStream(stream, [requested()]));
    expect(sessionsWithStatus(view, 'Requested').map((s) => s.sessionId)).toEqual([SESSION]);
    expect(sessionsWithStatus(view, 'Active')).toEqual([]);
  });

  it('sorts sessions by id', () => {
    const second = { ...requested(), data: { ...requested().data, sessionId: 'bg-0' } } as BreakGlassEvent;
    const view = replay(breakGlassProjection, [...inStream(stream, [requested()]), ...inStream('breakglass-bg-0', [second], 2)]);
    expect(sessionsWithStatus(view, 'Requested').map((s) => s.sessionId)).toEqual(['bg-0', SESSION]);
  });

  it('shows an active session with its signer, expiry and signature count', () => {
    const view = replay(breakGlassProjection, inStream(stream, [...activeSession(), signed(1, 2), signed(2, 3)]));
    expect(view.sessions[SESSION]).toMatchObject({
      status: 'Active',
      signer: { kid: 'bg-2025-02-24-01.k1' },
      expiresAt: bt(5).toISOString(),
      signatureCount: 2,
      approvals: [{ approver: 'user:bob' }, { approver: 'user:carol' }],
    });
  });

  it('finds running sessions due for expiry, including ones that lost their key', () => {
    const view = replay(breakGlassProjection, inStream(stream, activeSession()));
    expect(sessionsDueForExpiry(view, bt(4.9))).toEqual([]);
    expect(sessionsDueForExpiry(view, bt(5)).map((s) => s.sessionId)).toEqual([SESSION]);
    const lost = replay(breakGlassProjection, inStream(stream, [...activeSession(), keyLost(2)]));
    expect(sessionsDueForExpiry(lost, bt(6))).toHaveLength(1);
  });

  it('finds ended sessions whose emergency key still has to be destroyed', () => {
    const ended = replay(breakGlassProjection, inStream(stream, [...activeSession(), closed(2)]));
    expect(sessionsAwaitingKeyDestruction(ended).map((s) => s.sessionId)).toEqual([SESSION]);
    const done = replay(breakGlassProjection, inStream(stream, [...activeSession(), closed(2), keyDestroyed(2)]));
    expect(sessionsAwaitingKeyDestruction(done)).toEqual([]);
    expect(sessionsWithStatus(done, 'KeyDestroyed')).toHaveLength(1);
    const neverIssued = replay(breakGlassProjection, inStream(stream, [requested(), closed(0.5)]));
    expect(sessionsAwaitingKeyDestruction(neverIssued)).toEqual([]);
  });

  it('ignores other events and session events for sessions it never saw requested', () => {
    const view = replay(breakGlassProjection, inStream(stream, [signed(1, 2)]));
    expect(view.sessions).toEqual({});
    const other = replay(breakGlassProjection, inStream('signingfreeze-global', [
      { type: 'SigningResumed', schemaVersion: 1, data: { scope: { kind: 'global' }, resumedBy: 'x', resumedAt: bt(0).toISOString() } },
    ]));
    expect(other.sessions).toEqual({});
  });
});
