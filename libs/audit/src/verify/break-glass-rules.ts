import { APPROVER_ROLES, type BreakGlassEvent, type RecordedEvent } from '@keyledger/kms-domain';
import type { Finding, Report } from './findings';

interface Session {
  requester: string | null;
  ttlSeconds: number;
  approvals: { approver: string; role: string; position: number }[];
  quorumValid: boolean;
  active: { kid: string; activatedAt: number; expiresAt: number } | null;
  ended: { position: number; at: number } | null;
  keyLost: boolean;
  keyDestroyed: boolean;
  signatures: number;
}

/**
 * Break-glass rules replayed from the session streams: approvals by two distinct principals
 * holding the two approver roles, neither the requester; activation only on that quorum; every
 * emergency signature inside an active session, with its kid, before expiry; the emergency key
 * destroyed after the session ends.
 */
export class BreakGlassRules {
  private readonly sessions = new Map<string, Session>();

  /** Checks one session event, `e` being its decoded form (the schema check decoded it). */
  check(event: RecordedEvent, e: BreakGlassEvent, report: Report): void {
    const at = (rule: Finding['rule'], detail: string) => report({ position: event.position, stream: event.streamName, rule, detail });
    const s = this.sessions.get(event.streamName);
    if (e.type === 'BreakGlassRequested') {
      if (s) at('break-glass-approval', 'session requested twice');
      else this.sessions.set(event.streamName, newSession(e.data.requester, e.data.ttlSeconds));
      return;
    }
    if (!s) {
      at(e.type === 'BreakGlassSignatureIssued' ? 'break-glass-signature' : 'break-glass-approval', `${e.type} outside any requested session`);
      if (e.type !== 'BreakGlassSignatureIssued') this.sessions.set(event.streamName, newSession(null, 0));
      return;
    }
    apply(s, e, event.position, at);
  }

  /** End of replay: every activated session that ended must have had its emergency key destroyed. */
  finish(report: Report): void {
    for (const [stream, s] of this.sessions) {
      if (s.active && s.ended && !s.keyDestroyed) {
        report({ position: s.ended.position, stream, rule: 'break-glass-key-destroyed', detail: 'session ended but its emergency key was never destroyed' });
      }
    }
  }
}

function newSession(requester: string | null, ttlSeconds: number): Session {
  return { requester, ttlSeconds, approvals: [], quorumValid: false, active: null, ended: null, keyLost: false, keyDestroyed: false, signatures: 0 };
}

type At = (rule: Finding['rule'], detail: string) => void;

function apply(s: Session, e: BreakGlassEvent, position: number, at: At): void {
  switch (e.type) {
    case 'BreakGlassRequested':
      return;
    case 'BreakGlassApproved':
      return approve(s, e.data.approver, e.data.role, position, at);
    case 'BreakGlassActivated':
      return activate(s, e.data, at);
    case 'BreakGlassSignatureIssued':
      return recordSignature(s, e.data, at);
    case 'BreakGlassEmergencyKeyLost':
      s.keyLost = true;
      return;
    case 'BreakGlassClosed':
    case 'BreakGlassExpired': {
      const when = Date.parse(e.type === 'BreakGlassClosed' ? e.data.closedAt : e.data.expiredAt);
      if (s.ended) at('break-glass-approval', `${e.type} after the session already ended`);
      if (e.type === 'BreakGlassExpired' && s.active && when < s.active.expiresAt) at('break-glass-approval', 'expired before its expiry time');
      s.ended = s.ended ?? { position, at: when };
      return;
    }
    case 'BreakGlassEmergencyKeyDestroyed':
      if (!s.active || e.data.kid !== s.active.kid) at('break-glass-key-destroyed', `destroyed kid ${e.data.kid} is not the session's emergency key`);
      if (!s.ended && !s.keyLost) at('break-glass-key-destroyed', 'emergency key destroyed while the session was still active');
      s.keyDestroyed = true;
      return;
    default: {
      const never: never = e;
      throw new Error(`unhandled break-glass event ${String((never as { type: string }).type)}`);
    }
  }
}

function approve(s: Session, approver: string, role: string, position: number, at: At): void {
  if (s.active || s.ended) at('break-glass-approval', `approval by ${approver} after the session was ${s.ended ? 'ended' : 'activated'}`);
  if (approver === s.requester) at('break-glass-approval', `approved by the requester ${approver}`);
  if (s.approvals.some((a) => a.approver === approver)) at('break-glass-approval', `${approver} approved twice`);
  else if (s.approvals.some((a) => a.role === role)) at('break-glass-approval', `second approval in role ${role}`);
  s.approvals.push({ approver, role, position });
}

function activate(s: Session, d: { kid: string; activatedAt: string; expiresAt: string }, at: At): void {
  const approvers = new Set(s.approvals.map((a) => a.approver));
  const roles = new Set(s.approvals.map((a) => a.role));
  s.quorumValid =
    s.approvals.length === 2 && approvers.size === 2 && APPROVER_ROLES.every((r) => roles.has(r)) && s.requester !== null && !approvers.has(s.requester);
  if (!s.quorumValid) at('break-glass-approval', 'activated without two approvals by distinct non-requesting principals in both roles');
  if (s.active || s.ended) at('break-glass-approval', 'activated twice or after the session ended');
  const activatedAt = Date.parse(d.activatedAt);
  const expiresAt = Date.parse(d.expiresAt);
  if (expiresAt - activatedAt > s.ttlSeconds * 1000) at('break-glass-approval', `expiry ${d.expiresAt} exceeds the requested ttl of ${s.ttlSeconds}s`);
  s.active = s.active ?? { kid: d.kid, activatedAt, expiresAt };
}

function recordSignature(s: Session, d: { kid: string; signedAt: string; sequence: number }, at: At): void {
  const problems: string[] = [];
  const signedAt = Date.parse(d.signedAt);
  if (!s.active) problems.push('session was never activated');
  else {
    if (!s.quorumValid) problems.push('session activated without a valid two-person approval');
    if (d.kid !== s.active.kid) problems.push(`kid ${d.kid} is not the session's emergency key ${s.active.kid}`);
    if (signedAt < s.active.activatedAt || signedAt >= s.active.expiresAt) problems.push(`signed at ${d.signedAt}, outside the session's active window`);
  }
  if (s.ended) problems.push('session had ended');
  if (s.keyLost) problems.push('emergency key was lost');
  if (s.keyDestroyed) problems.push('emergency key was destroyed');
  s.signatures += 1;
  if (d.sequence !== s.signatures) problems.push(`sequence ${d.sequence}, expected ${s.signatures}`);
  if (problems.length > 0) at('break-glass-signature', `emergency signature outside an active session: ${problems.join('; ')}`);
}
