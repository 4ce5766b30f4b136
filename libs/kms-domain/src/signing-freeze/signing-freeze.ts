import { InvalidStateTransitionError } from '../errors/domain-errors';
import { SigningFrozenError } from '../errors/signing-errors';
import { assertNever, unknownCommand } from '../shared/assert-never';
import type { Decider } from '../shared/decider';
import type { DomainEvent, IsoTimestamp } from '../shared/domain-event';
import { requireScope, scopeKey, type Scope } from '../shared/scope';
import { toIso } from '../shared/time';
import { requireDate, requireName, requireText } from '../shared/validation';

export type SigningFrozen = DomainEvent<
  'SigningFrozen',
  { readonly scope: Scope; readonly reason: string; readonly frozenBy: string; readonly frozenAt: IsoTimestamp }
>;
export type SigningResumed = DomainEvent<
  'SigningResumed',
  { readonly scope: Scope; readonly resumedBy: string; readonly resumedAt: IsoTimestamp }
>;
export type SigningFreezeEvent = SigningFrozen | SigningResumed;

export interface FreezeSigning {
  readonly type: 'FreezeSigning';
  readonly scope: Scope;
  /** Required, 1..500 characters; shown to every refused signing caller. */
  readonly reason: string;
  readonly actor: string;
  readonly now: Date;
}
export interface ResumeSigning {
  readonly type: 'ResumeSigning';
  readonly scope: Scope;
  readonly actor: string;
  readonly now: Date;
}
export type SigningFreezeCommand = FreezeSigning | ResumeSigning;

export type SigningFreezeState =
  | { readonly status: 'Unfrozen' }
  | { readonly status: 'Frozen'; readonly scope: Scope; readonly reason: string; readonly frozenAt: IsoTimestamp };

export const MAX_FREEZE_REASON_LENGTH = 500;

/** Freeze from Unfrozen, resume from Frozen; anything else is an invalid transition. */
export function decideSigningFreeze(command: SigningFreezeCommand, state: SigningFreezeState): SigningFreezeEvent[] {
  const scope = requireScope('scope', command.scope);
  const actor = requireName('actor', command.actor);
  const now = toIso(requireDate('now', command.now));
  const refuse = () => new InvalidStateTransitionError('SigningFreeze', state.status, command.type);
  switch (command.type) {
    case 'FreezeSigning': {
      const reason = requireText('reason', command.reason, 1, MAX_FREEZE_REASON_LENGTH);
      if (state.status === 'Frozen') throw refuse();
      return [{ type: 'SigningFrozen', schemaVersion: 1, data: { scope, reason, frozenBy: actor, frozenAt: now } }];
    }
    case 'ResumeSigning':
      if (state.status !== 'Frozen') throw refuse();
      return [{ type: 'SigningResumed', schemaVersion: 1, data: { scope, resumedBy: actor, resumedAt: now } }];
    default:
      return unknownCommand(command);
  }
}

export function evolveSigningFreeze(_state: SigningFreezeState, event: SigningFreezeEvent): SigningFreezeState {
  switch (event.type) {
    case 'SigningFrozen':
      return { status: 'Frozen', scope: event.data.scope, reason: event.data.reason, frozenAt: event.data.frozenAt };
    case 'SigningResumed':
      return { status: 'Unfrozen' };
    default:
      return assertNever(event, 'signing freeze event');
  }
}

/** The SigningFreeze aggregate (one stream per scope, see `signingFreezeStream`). */
export const signingFreezeDecider: Decider<SigningFreezeCommand, SigningFreezeEvent, SigningFreezeState> = {
  decide: decideSigningFreeze,
  evolve: evolveSigningFreeze,
  initialState: () => ({ status: 'Unfrozen' }),
};

/**
 * Signing gate: pass the freeze states that apply to a request (global and the tenant's); the
 * first frozen one refuses with SIGNING_FROZEN and its reason.
 */
export function assertSigningAllowed(...states: readonly SigningFreezeState[]): void {
  for (const state of states) {
    if (state.status === 'Frozen') throw new SigningFrozenError(scopeKey(state.scope), state.reason, state.frozenAt);
  }
}
