import { SessionNotActiveError } from '../errors/session-errors';
import { reached, toIso } from '../shared/time';
import { requireHex, requireId, requireText } from '../shared/validation';
import type { RecordBreakGlassSignature, RecordEmergencyKeyLost } from './break-glass-commands';
import { BREAK_GLASS_ACTOR, type BreakGlassEmergencyKeyLost, type BreakGlassSignatureIssued } from './break-glass-events';
import { MAX_JUSTIFICATION_LENGTH } from './break-glass-open';
import { refuse, requireSession } from './break-glass-guards';
import type { BreakGlassState } from './break-glass-state';

/**
 * Records one emergency signature before it is handed out: only while the session is active,
 * unexpired, its key present and its scope covering the tenant; each needs its own justification.
 */
export function recordBreakGlassSignature(
  command: RecordBreakGlassSignature,
  state: BreakGlassState,
): BreakGlassSignatureIssued[] {
  const session = requireSession(state, command);
  const tenantId = requireId('tenantId', command.tenantId);
  const digest = requireHex('digest', command.digest, 64);
  const justification = requireText('justification', command.justification, 1, MAX_JUSTIFICATION_LENGTH);
  const notActive = (reason: string) => new SessionNotActiveError(command.sessionId, reason);
  if (session.status !== 'Active') throw notActive(`status is ${session.status}`);
  if (reached(command.now, session.expiresAt)) throw notActive(`expired at ${session.expiresAt}`);
  if (session.scope.kind === 'tenant' && session.scope.tenantId !== tenantId) {
    throw notActive(`scope does not cover tenant ${tenantId}`);
  }
  const data = {
    sessionId: session.sessionId,
    actor: BREAK_GLASS_ACTOR,
    requester: session.requester,
    tenantId,
    kid: session.signer.kid,
    digest,
    justification,
    sequence: session.signatureCount + 1,
    signedAt: toIso(command.now),
  } as const;
  return [{ type: 'BreakGlassSignatureIssued', schemaVersion: 1, data }];
}

/** Records that an active session's emergency key is gone; the session can no longer sign. */
export function recordEmergencyKeyLost(
  command: RecordEmergencyKeyLost,
  state: BreakGlassState,
): BreakGlassEmergencyKeyLost[] {
  const session = requireSession(state, command);
  if (session.status !== 'Active') return refuse(state, command, 'only an active session holds a key');
  const detail = command.detail === undefined ? null : requireText('detail', command.detail, 1, 500);
  const data = { sessionId: session.sessionId, kid: session.signer.kid, detail, detectedAt: toIso(command.now) };
  return [{ type: 'BreakGlassEmergencyKeyLost', schemaVersion: 1, data }];
}
