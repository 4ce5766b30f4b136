import { reached, toIso } from '../shared/time';
import { requireName, requireText } from '../shared/validation';
import type { CloseBreakGlass, DestroyEmergencyKey, ExpireBreakGlass } from './break-glass-commands';
import type { BreakGlassClosed, BreakGlassEmergencyKeyDestroyed, BreakGlassExpired } from './break-glass-events';
import { MAX_JUSTIFICATION_LENGTH, requestExpired } from './break-glass-open';
import { refuse, requireSession } from './break-glass-guards';
import type { BreakGlassState } from './break-glass-state';

/** Closes a requested, active or key-lost session with a reason. */
export function closeBreakGlass(command: CloseBreakGlass, state: BreakGlassState): BreakGlassClosed[] {
  const session = requireSession(state, command);
  const closedBy = requireName('closedBy', command.closedBy);
  const reason = requireText('reason', command.reason, 1, MAX_JUSTIFICATION_LENGTH);
  if (session.status === 'Ended' || session.status === 'KeyDestroyed') return refuse(state, command, 'already ended');
  const data = { sessionId: session.sessionId, closedBy, reason, closedAt: toIso(command.now) };
  return [{ type: 'BreakGlassClosed', schemaVersion: 1, data }];
}

/**
 * Expires an active or key-lost session once `expiresAt` has passed, and (given the request ttl) a
 * session still `Requested` once that long has passed since its request.
 */
export function expireBreakGlass(command: ExpireBreakGlass, state: BreakGlassState): BreakGlassExpired[] {
  const session = requireSession(state, command);
  if (session.status === 'Requested') {
    if (command.requestTtlSeconds === undefined) return refuse(state, command, 'a requested session expires only with the request ttl');
    if (!requestExpired(session.requestedAt, command.requestTtlSeconds, command.now)) return refuse(state, command, 'the request is still within its ttl');
    return [{ type: 'BreakGlassExpired', schemaVersion: 1, data: { sessionId: session.sessionId, expiredAt: toIso(command.now) } }];
  }
  if (session.status !== 'Active' && session.status !== 'KeyLost') {
    return refuse(state, command, 'only an activated, running session expires');
  }
  if (!reached(command.now, session.expiresAt)) return refuse(state, command, `runs until ${session.expiresAt}`);
  return [{ type: 'BreakGlassExpired', schemaVersion: 1, data: { sessionId: session.sessionId, expiredAt: toIso(command.now) } }];
}

/** Records the destruction of an ended session's emergency key (mandatory after every session). */
export function destroyEmergencyKey(
  command: DestroyEmergencyKey,
  state: BreakGlassState,
): BreakGlassEmergencyKeyDestroyed[] {
  const session = requireSession(state, command);
  if (session.status !== 'Ended') return refuse(state, command, 'end the session first');
  if (session.issued === null) return refuse(state, command, 'no emergency key was issued');
  const data = { sessionId: session.sessionId, kid: session.issued.signer.kid, destroyedAt: toIso(command.now) };
  return [{ type: 'BreakGlassEmergencyKeyDestroyed', schemaVersion: 1, data }];
}
