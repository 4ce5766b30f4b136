import { scopeKey, tenantScope, GLOBAL_SCOPE } from '../shared/scope';
import { ownEntry } from '../shared/validation';
import {
  evolveSigningFreeze,
  type SigningFreezeEvent,
  type SigningFreezeState,
} from '../signing-freeze/signing-freeze';
import type { PositionedView } from './projection';
import { defineTableProjection } from './table-projection';

/** A scope's freeze state, plus who changed it last and when. */
export type SigningFreezeViewEntry = SigningFreezeState & { readonly changedBy: string; readonly changedAt: string };

export interface SigningFreezeView extends PositionedView {
  /** By scope key (`global`, `tenant:<id>`). */
  readonly scopes: Readonly<Record<string, SigningFreezeViewEntry>>;
}

const UNFROZEN: SigningFreezeState = { status: 'Unfrozen' };
const FREEZE_TYPES = new Set<SigningFreezeEvent['type']>(['SigningFrozen', 'SigningResumed']);

/**
 * A state with who changed it and when, written out field by field: spreading the state here made
 * this the slowest step of a replay (V8 clones the two state shapes through a slow path).
 */
function withChange(state: SigningFreezeState, changedBy: string, changedAt: string): SigningFreezeViewEntry {
  return state.status === 'Frozen'
    ? { status: 'Frozen', scope: state.scope, reason: state.reason, frozenAt: state.frozenAt, changedBy, changedAt }
    : { status: 'Unfrozen', changedBy, changedAt };
}

/** Signing freeze view: frozen or not, per scope. */
export const signingFreezeProjection = defineTableProjection<SigningFreezeView, SigningFreezeEvent['type'], SigningFreezeViewEntry>(
  'signing-freeze',
  { position: null, scopes: {} },
  { table: (view) => view.scopes, build: (_view, position, scopes) => ({ position, scopes }) },
  {
    types: FREEZE_TYPES,
    keyOf: (event) => scopeKey(event.data.scope),
    next: (current, event) => {
      const state = evolveSigningFreeze(current ?? UNFROZEN, event);
      return event.type === 'SigningFrozen'
        ? withChange(state, event.data.frozenBy, event.data.frozenAt)
        : withChange(state, event.data.resumedBy, event.data.resumedAt);
    },
  },
);

/**
 * The freeze states that govern signing for a tenant (global first), ready for
 * `assertSigningAllowed(...freezeStatesFor(view, tenantId))`.
 */
export function freezeStatesFor(view: SigningFreezeView, tenantId: string): SigningFreezeState[] {
  return freezeStatesOf({ get: (key) => ownEntry(view.scopes, key) }, tenantId);
}

const GLOBAL_KEY = scopeKey(GLOBAL_SCOPE);

/** The same, from any lookup by scope key (the freeze read model). */
export function freezeStatesOf(freeze: { get(scopeKey: string): SigningFreezeState | undefined }, tenantId: string): [SigningFreezeState, SigningFreezeState] {
  return [freeze.get(GLOBAL_KEY) ?? UNFROZEN, freeze.get(scopeKey(tenantScope(tenantId))) ?? UNFROZEN];
}
