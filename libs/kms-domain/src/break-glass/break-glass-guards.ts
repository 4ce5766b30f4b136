import { InvalidStateTransitionError } from '../errors/domain-errors';
import { SessionNotFoundError } from '../errors/session-errors';
import type { PendingBreakGlassCommand } from './break-glass-commands';
import type { BreakGlassState } from './break-glass-state';

export type ExistingSession = Exclude<BreakGlassState, { status: 'Absent' }>;

/** The session exists. */
export function requireSession(state: BreakGlassState, command: PendingBreakGlassCommand): ExistingSession {
  if (state.status === 'Absent') throw new SessionNotFoundError(command.sessionId);
  return state;
}

export function refuse(state: BreakGlassState, command: PendingBreakGlassCommand, detail?: string): never {
  throw new InvalidStateTransitionError('BreakGlassSession', state.status, command.type, detail);
}
