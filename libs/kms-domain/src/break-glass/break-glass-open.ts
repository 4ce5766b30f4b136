import { ValidationError } from '../errors/domain-errors';
import { ApprovalNotAllowedError, SessionAlreadyExistsError } from '../errors/session-errors';
import { SIGNING_ALGORITHMS } from '../key/key-types';
import { requireScope } from '../shared/scope';
import { MS_PER_SECOND, addMs, toIso } from '../shared/time';
import { requireId, requireInt, requireName, requireOneOf, requireOpaque, requireText } from '../shared/validation';
import type { ApproveBreakGlass, RequestBreakGlass } from './break-glass-commands';
import {
  APPROVER_ROLES,
  type BreakGlassActivated,
  type BreakGlassApproved,
  type BreakGlassRequested,
  type EmergencySigner,
} from './break-glass-events';
import { refuse, requireSession } from './break-glass-guards';
import type { BreakGlassState } from './break-glass-state';

export const DEFAULT_BREAK_GLASS_TTL_SECONDS = 4 * 3600;
export const MAX_BREAK_GLASS_TTL_SECONDS = 24 * 3600;
export const MIN_JUSTIFICATION_LENGTH = 20;
export const MAX_JUSTIFICATION_LENGTH = 2000;

/** Opens a session request; nothing can sign until two approvals activate it. */
export function requestBreakGlass(command: RequestBreakGlass, state: BreakGlassState): BreakGlassRequested[] {
  if (state.status !== 'Absent') throw new SessionAlreadyExistsError(command.sessionId);
  const data = {
    sessionId: command.sessionId,
    requester: requireName('requester', command.requester),
    scope: requireScope('scope', command.scope),
    justification: requireText('justification', command.justification, MIN_JUSTIFICATION_LENGTH, MAX_JUSTIFICATION_LENGTH),
    incidentRef: requireName('incidentRef', command.incidentRef),
    ttlSeconds: requireInt('ttlSeconds', command.ttlSeconds ?? DEFAULT_BREAK_GLASS_TTL_SECONDS, 1, MAX_BREAK_GLASS_TTL_SECONDS),
    requestedAt: toIso(command.now),
  };
  return [{ type: 'BreakGlassRequested', schemaVersion: 1, data }];
}

function requireSigner(value: unknown): EmergencySigner {
  if (typeof value !== 'object' || value === null) {
    throw new ValidationError('emergencySigner', 'required on the approval that completes the quorum');
  }
  const signer = value as Partial<Record<string, unknown>>;
  return {
    kid: requireId('emergencySigner.kid', signer.kid),
    publicKey: requireOpaque('emergencySigner.publicKey', signer.publicKey, 8192),
    algorithm: requireOneOf('emergencySigner.algorithm', signer.algorithm, SIGNING_ALGORITHMS),
  };
}

/** What an approval that passed its guards will record: whether it completes the quorum and so activates the session. */
export interface ApprovalPlan {
  readonly session: Extract<BreakGlassState, { status: 'Requested' }>;
  readonly approver: string;
  readonly activates: boolean;
}

/**
 * The guards of ApproveBreakGlass, without the emergency signer (the caller creates the emergency
 * key only when `activates` and only after this passed): one approval per principal and per role,
 * never by the requester, only while requested.
 */
export function checkApproval(command: Omit<ApproveBreakGlass, 'emergencySigner'>, state: BreakGlassState): ApprovalPlan {
  const session = requireSession(state, command);
  if (session.status !== 'Requested') return refuse(state, command, 'only a requested session can be approved');
  if (requestExpired(session.requestedAt, command.requestTtlSeconds, command.now)) {
    return refuse(state, command, `the request expired: it was not approved within ${Math.round((command.requestTtlSeconds ?? 0) / 60)} min of ${session.requestedAt}`);
  }
  const approver = requireName('approver', command.approver);
  const deny = (reason: string) => new ApprovalNotAllowedError(command.sessionId, reason);
  if (!(APPROVER_ROLES as readonly unknown[]).includes(command.role)) throw deny('the principal holds no approver role');
  if (approver === session.requester) throw deny('the requester cannot approve');
  if (session.approvals.some((a) => a.approver === approver)) throw deny('this principal already approved');
  if (session.approvals.some((a) => a.role === command.role)) throw deny(`${command.role} already approved`);
  return { session, approver, activates: session.approvals.length + 1 >= APPROVER_ROLES.length };
}

/**
 * One approval per principal and per role; the requester cannot approve. The approval that brings
 * both roles activates the session with the emergency signer.
 */
export function approveBreakGlass(
  command: ApproveBreakGlass,
  state: BreakGlassState,
): (BreakGlassApproved | BreakGlassActivated)[] {
  const { session, approver, activates } = checkApproval(command, state);
  const now = toIso(command.now);
  const approved: BreakGlassApproved = {
    type: 'BreakGlassApproved',
    schemaVersion: 1,
    data: { sessionId: session.sessionId, approver, role: command.role, approvedAt: now },
  };
  if (!activates) {
    if (command.emergencySigner !== undefined) {
      throw new ValidationError('emergencySigner', 'only the approval that completes the quorum activates the session');
    }
    return [approved];
  }
  const expiresAt = addMs(now, session.ttlSeconds * MS_PER_SECOND);
  const signer = requireSigner(command.emergencySigner);
  const data = { sessionId: session.sessionId, ...signer, activatedAt: now, expiresAt };
  return [approved, { type: 'BreakGlassActivated', schemaVersion: 1, data }];
}

/** Whether a request made at `requestedAt` is past its approval window at `now` (no window: never). */
export function requestExpired(requestedAt: string, requestTtlSeconds: number | undefined, now: Date): boolean {
  if (requestTtlSeconds === undefined) return false;
  const ttl = requireInt('requestTtlSeconds', requestTtlSeconds, 1, 31 * 24 * 3600);
  return now.getTime() >= Date.parse(requestedAt) + ttl * MS_PER_SECOND;
}
