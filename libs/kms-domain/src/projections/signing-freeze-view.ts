import { scopeKey, tenantScope, GLOBAL_SCOPE } from '../shared/scope';
import { ownEntry } from '../shared/validation';
import {
  evolveSigningFreeze,
  type SigningFreezeEvent,
  type SigningFreezeState,
} from '../signing-freeze/signing-freeze';
import { defineProjection, isOneOf, type PositionedView } from './projection';

/** A scope's freeze state, plus who changed it last and when. */
export type SigningFreezeViewEntry = SigningFreezeState & { readonly changedBy: string; readonly changedAt: string };

export interface SigningFreezeView extends PositionedView {
  /** By scope key (`global`, `tenant:<id>`). */
  readonly scopes: Readonly<Record<string, SigningFreezeViewEntry>>;
}

const FREEZE_TYPES = new Set<SigningFreezeEvent['type']>(['SigningFrozen', 'SigningResumed']);

/** Signing freeze view: frozen or not, per scope. */
export const signingFreezeProjection = defineProjection<SigningFreezeView>(
  'signing-freeze',
  { position: null, scopes: {} },
  (view, { event }) => {
    if (!isOneOf(event, FREEZE_TYPES)) return view;
    const key = scopeKey(event.data.scope);
    const state = evolveSigningFreeze(ownEntry(view.scopes, key) ?? { status: 'Unfrozen' }, event);
    const entry =
      event.type === 'SigningFrozen'
        ? { ...state, changedBy: event.data.frozenBy, changedAt: event.data.frozenAt }
        : { ...state, changedBy: event.data.resumedBy, changedAt: event.data.resumedAt };
    return { ...view, scopes: { ...view.scopes, [key]: entry } };
  },
);

const UNFROZEN: SigningFreezeState = { status: 'Unfrozen' };

/**
 * The freeze states that govern signing for a tenant (global first), ready for
 * `assertSigningAllowed(...freezeStatesFor(view, tenantId))`.
 */
export function freezeStatesFor(view: SigningFreezeView, tenantId: string): SigningFreezeState[] {
  return [GLOBAL_SCOPE, tenantScope(tenantId)].map((scope) => ownEntry(view.scopes, scopeKey(scope)) ?? UNFROZEN);
}
