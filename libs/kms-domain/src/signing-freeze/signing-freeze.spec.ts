import {
  assertSigningAllowed,
  deciderSpec,
  foldEvents,
  GLOBAL_SCOPE,
  signingFreezeDecider,
  SigningFrozenError,
  tenantScope,
  type SigningFreezeCommand,
  type SigningFreezeEvent,
} from '../index';

const now = new Date('2025-02-24T05:15:00.000Z');
const spec = deciderSpec(signingFreezeDecider);
const reason = 'KMS outage 2025-02-24T05:15Z';
const freeze = (patch: Partial<SigningFreezeCommand> = {}) =>
  ({ type: 'FreezeSigning', scope: GLOBAL_SCOPE, reason, actor: 'user:sre-oncall', now, ...patch }) as SigningFreezeCommand;
const resume = (patch: Partial<SigningFreezeCommand> = {}) =>
  ({ type: 'ResumeSigning', scope: GLOBAL_SCOPE, actor: 'user:sre-oncall', now, ...patch }) as SigningFreezeCommand;
const frozen: SigningFreezeEvent = {
  type: 'SigningFrozen',
  schemaVersion: 1,
  data: { scope: GLOBAL_SCOPE, reason, frozenBy: 'user:sre-oncall', frozenAt: now.toISOString() },
};

describe('SigningFreeze decider', () => {
  it('freezes with a reason', () => {
    spec.given([]).when(freeze()).then([frozen]);
  });

  it('freezes one tenant', () => {
    const { events } = spec.given([]).when(freeze({ scope: tenantScope('acme') })).run();
    expect(events[0].data.scope).toEqual({ kind: 'tenant', tenantId: 'acme' });
  });

  it.each([
    ['missing reason', { reason: undefined }],
    ['blank reason', { reason: '   ' }],
    ['overlong reason', { reason: 'x'.repeat(501) }],
    ['reason with control characters', { reason: 'bad\u0000reason' }],
    ['unknown scope', { scope: { kind: 'region' } }],
    ['tenant scope with a bad id', { scope: { kind: 'tenant', tenantId: 'a:b' } }],
    ['missing actor', { actor: '' }],
    ['invalid now', { now: new Date(NaN) }],
  ])('refuses a freeze with %s', (_name, patch) => {
    spec.given([]).when(freeze(patch as Partial<SigningFreezeCommand>)).thenThrows('VALIDATION_FAILED');
  });

  it('resumes a frozen scope', () => {
    spec.given([frozen]).when(resume()).then([
      { type: 'SigningResumed', schemaVersion: 1, data: { scope: GLOBAL_SCOPE, resumedBy: 'user:sre-oncall', resumedAt: now.toISOString() } },
    ]);
  });

  it('refuses to freeze twice or resume what is not frozen', () => {
    spec.given([frozen]).when(freeze()).thenThrows('INVALID_STATE_TRANSITION');
    spec.given([]).when(resume()).thenThrows('INVALID_STATE_TRANSITION');
  });

  it('refuses an unknown command type', () => {
    spec.given([]).when({ ...resume(), type: 'Thaw' } as never).thenThrows('VALIDATION_FAILED');
  });

  it('fails loudly on an unknown event', () => {
    expect(() => signingFreezeDecider.evolve({ status: 'Unfrozen' }, { type: 'X' } as never)).toThrow('Unhandled');
  });
});

describe('assertSigningAllowed', () => {
  it('while frozen, signing is refused with that reason', () => {
    const tenantFrozen = foldEvents(signingFreezeDecider, [
      { ...frozen, data: { ...frozen.data, scope: tenantScope('acme') } } as SigningFreezeEvent,
    ]);
    const unfrozen = signingFreezeDecider.initialState();
    let caught: unknown;
    try {
      assertSigningAllowed(unfrozen, tenantFrozen);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SigningFrozenError);
    expect(caught).toMatchObject({ code: 'SIGNING_FROZEN', reason, scope: 'tenant:acme' });
    expect((caught as Error).message).toContain(reason);
  });

  it('allows signing when nothing is frozen, including after resume', () => {
    const resumed = foldEvents(signingFreezeDecider, [
      frozen,
      { type: 'SigningResumed', schemaVersion: 1, data: { scope: GLOBAL_SCOPE, resumedBy: 'x', resumedAt: now.toISOString() } },
    ]);
    expect(() => assertSigningAllowed(resumed, signingFreezeDecider.initialState())).not.toThrow();
  });
});
