import {
  assertSigningAllowed,
  freezeStatesFor,
  GLOBAL_SCOPE,
  replay,
  signingFreezeProjection,
  signingFreezeStream,
  tenantScope,
  type Scope,
  type SigningFreezeEvent,
} from '../index';
import { globalOrder, inStream } from '../../test/fixtures/projected';

const t = (h: number) => new Date(Date.UTC(2025, 1, 24, h)).toISOString();
const frozen = (scope: Scope, reason: string, h: number): SigningFreezeEvent => ({
  type: 'SigningFrozen',
  schemaVersion: 1,
  data: { scope, reason, frozenBy: 'user:sre', frozenAt: t(h) },
});
const resumed = (scope: Scope, h: number): SigningFreezeEvent => ({
  type: 'SigningResumed',
  schemaVersion: 1,
  data: { scope, resumedBy: 'user:lead', resumedAt: t(h) },
});

describe('signing freeze view', () => {
  it('records who froze a scope, when and why', () => {
    const view = replay(signingFreezeProjection, inStream(signingFreezeStream(GLOBAL_SCOPE), [frozen(GLOBAL_SCOPE, 'KMS outage', 5)]));
    expect(view.scopes.global).toEqual({
      status: 'Frozen',
      scope: GLOBAL_SCOPE,
      reason: 'KMS outage',
      frozenAt: t(5),
      changedBy: 'user:sre',
      changedAt: t(5),
    });
  });

  it('gives the states that govern a tenant: global freeze refuses every tenant with its reason', () => {
    const view = replay(signingFreezeProjection, inStream(signingFreezeStream(GLOBAL_SCOPE), [frozen(GLOBAL_SCOPE, 'KMS outage', 5)]));
    expect(() => assertSigningAllowed(...freezeStatesFor(view, 'acme'))).toThrow(/KMS outage/);
  });

  it('a tenant freeze affects only that tenant, and resuming lifts it', () => {
    const acme = tenantScope('acme');
    const events = globalOrder(
      inStream(signingFreezeStream(acme), [frozen(acme, 'acme key compromise', 1)]),
      inStream(signingFreezeStream(GLOBAL_SCOPE), [frozen(GLOBAL_SCOPE, 'outage', 2), resumed(GLOBAL_SCOPE, 3)]),
    );
    const view = replay(signingFreezeProjection, events);
    expect(view.scopes.global).toMatchObject({ status: 'Unfrozen', changedBy: 'user:lead', changedAt: t(3) });
    expect(() => assertSigningAllowed(...freezeStatesFor(view, 'acme'))).toThrow(/acme key compromise/);
    expect(() => assertSigningAllowed(...freezeStatesFor(view, 'globex'))).not.toThrow();
  });

  it('ignores other events', () => {
    const view = signingFreezeProjection.apply(signingFreezeProjection.initial, {
      event: { type: 'SignerRetired', schemaVersion: 2, data: { kid: 'k', reason: null, retiredAt: t(0) } },
      streamName: 'signerregistry-global',
      position: 1,
    });
    expect(view).toEqual({ position: 1, scopes: {} });
  });
});
