import { breakGlassDecider, checkBreakGlassCommand, deciderSpec, foldEvents, type BreakGlassEvent } from '../index';
import {
  activated,
  activeSession,
  approved,
  bgCommand,
  biso,
  closed,
  DIGEST,
  expired,
  JUSTIFICATION,
  keyDestroyed,
  keyLost,
  requested,
  SIGNER,
  signed,
} from '../../test/fixtures/break-glass-fixtures';

const spec = deciderSpec(breakGlassDecider);

const request = (rest: Record<string, unknown> = {}) =>
  bgCommand('RequestBreakGlass', 0, {
    requester: 'user:alice',
    scope: { kind: 'global' },
    justification: JUSTIFICATION,
    incidentRef: 'INC-4711',
    ...rest,
  });
const approve = (approver: string, role: string, hours: number, emergencySigner?: unknown) =>
  bgCommand('ApproveBreakGlass', hours, { approver, role, emergencySigner } as never);
const sign = (hours: number, rest: Record<string, unknown> = {}) =>
  bgCommand('RecordBreakGlassSignature', hours, { tenantId: 'acme', digest: DIGEST, justification: 'hotfix 1.2.3 manifest', ...rest });
const close = (hours: number) => bgCommand('CloseBreakGlass', hours, { closedBy: 'user:alice', reason: 'KMS restored' });
const expire = (hours: number) => bgCommand('ExpireBreakGlass', hours, {});
const destroy = (hours: number) => bgCommand('DestroyEmergencyKey', hours, {});
const lose = (hours: number, detail?: string) => bgCommand('RecordEmergencyKeyLost', hours, { detail });
const secondApproval = [requested(), approved('user:bob', 'approver-security', 0.5)];

describe('BreakGlassSession: request', () => {
  it('requests a session with a 4 h default ttl', () => {
    spec.given([]).when(request()).then([requested()]);
  });

  it('accepts a ttl of 24 h and a tenant scope', () => {
    const { state } = spec.given([]).when(request({ ttlSeconds: 86_400, scope: { kind: 'tenant', tenantId: 'acme' } })).run();
    expect(state).toMatchObject({ status: 'Requested', ttlSeconds: 86_400, scope: { kind: 'tenant', tenantId: 'acme' } });
  });

  it.each([
    ['a ttl above 24 h', { ttlSeconds: 86_401 }],
    ['a zero ttl', { ttlSeconds: 0 }],
    ['a justification under 20 characters', { justification: 'KMS is down, sorry.' }],
    ['a justification over 2000 characters', { justification: 'x'.repeat(2001) }],
    ['no incident reference', { incidentRef: '' }],
    ['no requester', { requester: undefined }],
    ['an unknown scope', { scope: { kind: 'planet' } }],
  ])('refuses %s', (_name, rest) => {
    spec.given([]).when(request(rest)).thenThrows('VALIDATION_FAILED');
  });

  it('accepts justifications of exactly 20 and 2000 characters', () => {
    expect(spec.given([]).when(request({ justification: 'j'.repeat(20) })).run().events).toHaveLength(1);
    expect(spec.given([]).when(request({ justification: 'j'.repeat(2000) })).run().events).toHaveLength(1);
  });

  it('refuses a second request on the same session id and bad session ids', () => {
    spec.given([requested()]).when(request()).thenThrows('SESSION_ALREADY_EXISTS');
    spec.given([]).when({ ...request(), sessionId: 'a/b' }).thenThrows('VALIDATION_FAILED');
    spec.given([]).when({ ...request(), now: new Date(NaN) }).thenThrows('VALIDATION_FAILED');
  });

  it('refuses an unknown command type', () => {
    spec.given([]).when({ ...request(), type: 'Smash' } as never).thenThrows('VALIDATION_FAILED');
  });
});

describe('BreakGlassSession: approval', () => {
  it('records a first approval without activating', () => {
    spec.given([requested()]).when(approve('user:bob', 'approver-security', 0.5)).then([
      approved('user:bob', 'approver-security', 0.5),
    ]);
  });

  it('the second approval from the other role activates the session with the emergency signer', () => {
    spec.given(secondApproval).when(approve('user:carol', 'approver-finance', 1, SIGNER)).then([
      approved('user:carol', 'approver-finance', 1),
      activated(1),
    ]);
  });

  it('finance may approve first', () => {
    const { state } = spec
      .given([requested(), approved('user:carol', 'approver-finance', 0.2)])
      .when(approve('user:bob', 'approver-security', 0.4, SIGNER))
      .run();
    expect(state).toMatchObject({ status: 'Active', expiresAt: biso(4.4), signatureCount: 0 });
  });

  it('the requester cannot approve', () => {
    spec.given([requested()]).when(approve('user:alice', 'approver-security', 0.5)).thenThrows('APPROVAL_NOT_ALLOWED');
  });

  it('one approval per principal', () => {
    spec.given(secondApproval).when(approve('user:bob', 'approver-finance', 1, SIGNER)).thenThrows('APPROVAL_NOT_ALLOWED');
  });

  it('two approvals of the same role do not make a quorum', () => {
    spec.given(secondApproval).when(approve('user:dave', 'approver-security', 1, SIGNER)).thenThrows('APPROVAL_NOT_ALLOWED');
  });

  it('a principal without an approver role cannot approve', () => {
    spec.given([requested()]).when(approve('user:eve', 'admin', 1)).thenThrows('APPROVAL_NOT_ALLOWED');
  });

  it('the completing approval must bring a valid emergency signer, and only it', () => {
    spec.given(secondApproval).when(approve('user:carol', 'approver-finance', 1)).thenThrows('VALIDATION_FAILED');
    spec.given(secondApproval).when(approve('user:carol', 'approver-finance', 1, { ...SIGNER, kid: 'a:b' })).thenThrows('VALIDATION_FAILED');
    spec.given([requested()]).when(approve('user:bob', 'approver-security', 1, SIGNER)).thenThrows('VALIDATION_FAILED');
    spec.given([requested()]).when(approve('', 'approver-security', 1)).thenThrows('VALIDATION_FAILED');
  });

  it('refuses approvals of unknown or no longer requested sessions', () => {
    spec.given([]).when(approve('user:bob', 'approver-security', 1)).thenThrows('SESSION_NOT_FOUND');
    spec.given(activeSession()).when(approve('user:dave', 'approver-security', 2)).thenThrows('INVALID_STATE_TRANSITION');
  });
});

describe('BreakGlassSession: emergency signatures', () => {
  it('records a signature with the break-glass actor, the requester, the digest and the kid', () => {
    spec.given(activeSession()).when(sign(2)).then([signed(1, 2)]);
    spec.given([...activeSession(), signed(1, 2)]).when(sign(3)).then([signed(2, 3)]);
  });

  it('needs a non-empty justification per signature and a SHA-256 hex digest', () => {
    spec.given(activeSession()).when(sign(2, { justification: '  ' })).thenThrows('VALIDATION_FAILED');
    spec.given(activeSession()).when(sign(2, { digest: 'AB'.repeat(32) })).thenThrows('VALIDATION_FAILED');
    spec.given(activeSession()).when(sign(2, { tenantId: '' })).thenThrows('VALIDATION_FAILED');
  });

  it('refuses to sign before activation, at or after expiry, and after the session ended', () => {
    spec.given(secondApproval).when(sign(1)).thenThrows('SESSION_NOT_ACTIVE');
    spec.given(activeSession()).when(sign(5)).thenThrows('SESSION_NOT_ACTIVE');
    spec.given([...activeSession(), closed(2)]).when(sign(2.5)).thenThrows('SESSION_NOT_ACTIVE');
    spec.given([]).when(sign(2)).thenThrows('SESSION_NOT_FOUND');
  });

  it('a tenant-scoped session signs only for its tenant', () => {
    const tenantRequest = { ...requested(), data: { ...requested().data, scope: { kind: 'tenant', tenantId: 'acme' } } };
    const history = [tenantRequest as ReturnType<typeof requested>, ...activeSession().slice(1)];
    expect(spec.given(history).when(sign(2)).run().events).toHaveLength(1);
    spec.given(history).when(sign(2, { tenantId: 'globex' })).thenThrows('SESSION_NOT_ACTIVE');
  });

  it('a session whose emergency key was lost is recorded as such and cannot sign', () => {
    spec.given(activeSession()).when(lose(2)).then([keyLost(2)]);
    const { events } = spec.given(activeSession()).when(lose(2, 'process restarted')).run();
    expect(events[0].data).toMatchObject({ detail: 'process restarted' });
    spec.given([...activeSession(), keyLost(2)]).when(sign(3)).thenThrows('SESSION_NOT_ACTIVE');
  });

  it('only an active session can lose its key', () => {
    spec.given([requested()]).when(lose(1)).thenThrows('INVALID_STATE_TRANSITION');
    spec.given([...activeSession(), keyLost(2)]).when(lose(3)).thenThrows('INVALID_STATE_TRANSITION');
  });
});

describe('BreakGlassSession: ending and key destruction', () => {
  it('closes with a reason from requested, active or key-lost', () => {
    spec.given([requested()]).when(close(0.5)).then([closed(0.5)]);
    spec.given(activeSession()).when(close(2)).then([closed(2)]);
    spec.given([...activeSession(), keyLost(2)]).when(close(3)).then([closed(3)]);
    spec.given(activeSession()).when({ ...close(2), reason: '' } as never).thenThrows('VALIDATION_FAILED');
  });

  it('expires only once expiresAt has passed', () => {
    spec.given(activeSession()).when(expire(4.9)).thenThrows('INVALID_STATE_TRANSITION');
    spec.given(activeSession()).when(expire(5)).then([expired(5)]);
    spec.given([...activeSession(), keyLost(2)]).when(expire(6)).then([expired(6)]);
    spec.given([requested()]).when(expire(6)).thenThrows('INVALID_STATE_TRANSITION');
  });

  it('expires a session still requested once the request ttl passed, and refuses approving it then', () => {
    const hour = 3600;
    spec.given([requested()]).when({ ...expire(0.9), requestTtlSeconds: hour } as never).thenThrows('INVALID_STATE_TRANSITION');
    spec.given([requested()]).when({ ...expire(1), requestTtlSeconds: hour } as never).then([expired(1)]);
    spec.given([...secondApproval]).when({ ...expire(1), requestTtlSeconds: hour } as never).then([expired(1)]);
    spec.given([requested()]).when({ ...approve('user:bob', 'approver-security', 1), requestTtlSeconds: hour } as never).thenThrows('INVALID_STATE_TRANSITION');
    spec.given([requested()]).when({ ...approve('user:bob', 'approver-security', 0.5), requestTtlSeconds: hour } as never).then([approved('user:bob', 'approver-security', 0.5)]);
    spec.given([requested()]).when({ ...expire(1), requestTtlSeconds: 0 } as never).thenThrows('VALIDATION_FAILED');
  });

  it('destroys the emergency key after the session ended, once', () => {
    spec.given([...activeSession(), expired(5)]).when(destroy(5)).then([keyDestroyed(5)]);
    spec.given([...activeSession(), closed(2)]).when(destroy(2)).then([keyDestroyed(2)]);
    spec.given([...activeSession(), closed(2), keyDestroyed(2)]).when(destroy(3)).thenThrows('INVALID_STATE_TRANSITION');
  });

  it('refuses key destruction while running or when no key was issued', () => {
    spec.given(activeSession()).when(destroy(2)).thenThrows('INVALID_STATE_TRANSITION');
    spec.given([requested(), closed(0.5)]).when(destroy(1)).thenThrows('INVALID_STATE_TRANSITION');
  });

  it('an ended session accepts no further close', () => {
    spec.given([...activeSession(), expired(5)]).when(close(6)).thenThrows('INVALID_STATE_TRANSITION');
    spec.given([...activeSession(), closed(2), keyDestroyed(2)]).when(close(6)).thenThrows('INVALID_STATE_TRANSITION');
    spec.given([]).when(close(1)).thenThrows('SESSION_NOT_FOUND');
  });
});

describe('BreakGlassSession evolve', () => {
  it('keeps the issued signer, signature count and key loss through the end', () => {
    const state = foldEvents(breakGlassDecider, [...activeSession(), signed(1, 2), keyLost(3), closed(4), keyDestroyed(4)]);
    expect(state).toMatchObject({
      status: 'KeyDestroyed',
      keyLost: true,
      issued: { signer: SIGNER, signatureCount: 1 },
      ending: { kind: 'closed', reason: 'KMS restored' },
      keyDestroyedAt: biso(4),
    });
  });

  it('ignores facts that do not apply to the current state', () => {
    const initial = breakGlassDecider.initialState();
    expect(breakGlassDecider.evolve(initial, signed(1, 2))).toEqual(initial);
    const requestedState = foldEvents(breakGlassDecider, [requested()]);
    expect(breakGlassDecider.evolve(requestedState, signed(1, 2))).toBe(requestedState);
    expect(breakGlassDecider.evolve(requestedState, keyLost(2))).toBe(requestedState);
    expect(breakGlassDecider.evolve(requestedState, keyDestroyed(2))).toBe(requestedState);
    expect(() => breakGlassDecider.evolve(initial, { type: 'X' } as never)).toThrow('Unhandled break-glass event');
  });
});

describe('BreakGlassSession guard step (checkBreakGlassCommand)', () => {
  const stateOf = (events: BreakGlassEvent[]) => foldEvents(breakGlassDecider, events);
  const codeOf = (run: () => unknown): string | null => {
    try {
      run();
      return null;
    } catch (error) {
      return (error as { code?: string }).code ?? 'NO_CODE';
    }
  };

  it('says whether an approval completes the quorum, before any emergency key exists', () => {
    expect(checkBreakGlassCommand(approve('user:bob', 'approver-security', 0.5), stateOf([requested()]))).toEqual({ activates: false });
    expect(checkBreakGlassCommand(approve('user:carol', 'approver-finance', 1), stateOf(secondApproval))).toEqual({ activates: true });
  });

  it.each([
    ['the requester approving', approve('user:alice', 'approver-finance', 1)],
    ['a second approval in the same role', approve('user:carol', 'approver-security', 1)],
    ['an approval by the same principal', approve('user:bob', 'approver-finance', 1)],
  ])('refuses %s with the code the decision throws', (_what, command) => {
    const state = stateOf(secondApproval);
    const expected = codeOf(() => breakGlassDecider.decide({ ...command, emergencySigner: SIGNER } as never, state));
    expect(expected).toBe('APPROVAL_NOT_ALLOWED');
    expect(codeOf(() => checkBreakGlassCommand(command as never, state))).toBe(expected);
  });

  it('checks the other commands by their decision', () => {
    expect(codeOf(() => checkBreakGlassCommand(sign(1) as never, stateOf(secondApproval)))).toBe('SESSION_NOT_ACTIVE');
    expect(codeOf(() => checkBreakGlassCommand(sign(1) as never, stateOf(activeSession())))).toBeNull();
  });
});
