import type { BreakGlassViewEntry, EmergencySigner, Scope } from '@keyledger/kms-domain';

/** A break-glass session as the API shows it (public key included: it is public). */
export interface BreakGlassSessionView {
  readonly sessionId: string;
  readonly status: BreakGlassViewEntry['status'];
  readonly requester: string;
  readonly scope: Scope;
  readonly justification: string;
  readonly incidentRef: string;
  readonly ttlSeconds: number;
  readonly requestedAt: string;
  readonly approvals: readonly { readonly approver: string; readonly role: string; readonly approvedAt: string }[];
  readonly signer: (EmergencySigner & { readonly activatedAt: string; readonly expiresAt: string }) | null;
  readonly signatureCount: number;
  readonly keyLost: boolean;
  readonly ended: { readonly kind: 'closed' | 'expired'; readonly at: string; readonly closedBy?: string; readonly reason?: string } | null;
  readonly keyDestroyedAt: string | null;
}

function issuedOf(s: BreakGlassViewEntry): { signer: BreakGlassSessionView['signer']; signatureCount: number } {
  const issued = s.status === 'Active' || s.status === 'KeyLost' ? s : s.status === 'Ended' || s.status === 'KeyDestroyed' ? s.issued : null;
  if (!issued) return { signer: null, signatureCount: 0 };
  return { signer: { ...issued.signer, activatedAt: issued.activatedAt, expiresAt: issued.expiresAt }, signatureCount: issued.signatureCount };
}

function endedOf(s: BreakGlassViewEntry): BreakGlassSessionView['ended'] {
  if (s.status !== 'Ended' && s.status !== 'KeyDestroyed') return null;
  return s.ending.kind === 'closed'
    ? { kind: 'closed', at: s.endedAt, closedBy: s.ending.closedBy, reason: s.ending.reason }
    : { kind: 'expired', at: s.endedAt };
}

/** The view of one session entry of the break-glass projection. */
export function toSessionView(s: BreakGlassViewEntry): BreakGlassSessionView {
  return {
    sessionId: s.sessionId,
    status: s.status,
    requester: s.requester,
    scope: s.scope,
    justification: s.justification,
    incidentRef: s.incidentRef,
    ttlSeconds: s.ttlSeconds,
    requestedAt: s.requestedAt,
    approvals: s.approvals.map((a) => ({ approver: a.approver, role: a.role, approvedAt: a.approvedAt })),
    ...issuedOf(s),
    keyLost: s.status === 'KeyLost' || ((s.status === 'Ended' || s.status === 'KeyDestroyed') && s.keyLost),
    ended: endedOf(s),
    keyDestroyedAt: s.status === 'KeyDestroyed' ? s.keyDestroyedAt : null,
  };
}
