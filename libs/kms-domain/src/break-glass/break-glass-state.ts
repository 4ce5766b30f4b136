import type { IsoTimestamp } from '../shared/domain-event';
import type { Scope } from '../shared/scope';
import { assertNever } from '../shared/assert-never';
import type { ApproverRole, BreakGlassEvent, EmergencySigner } from './break-glass-events';

export interface Approval {
  readonly approver: string;
  readonly role: ApproverRole;
  readonly approvedAt: IsoTimestamp;
}

/** What every existing session knows from its request and approvals. */
export interface SessionBase {
  readonly sessionId: string;
  readonly requester: string;
  readonly scope: Scope;
  readonly justification: string;
  readonly incidentRef: string;
  readonly ttlSeconds: number;
  readonly requestedAt: IsoTimestamp;
  readonly approvals: readonly Approval[];
}

/** Present once the session was activated. */
export interface Issued {
  readonly signer: EmergencySigner;
  readonly activatedAt: IsoTimestamp;
  readonly expiresAt: IsoTimestamp;
  readonly signatureCount: number;
}

export type SessionEnding =
  | { readonly kind: 'closed'; readonly closedBy: string; readonly reason: string }
  | { readonly kind: 'expired' };

interface EndedFields {
  readonly issued: Issued | null;
  readonly ending: SessionEnding;
  readonly endedAt: IsoTimestamp;
  readonly keyLost: boolean;
}

/** A break-glass session, keyed on status. */
export type BreakGlassState =
  | { readonly status: 'Absent' }
  | (SessionBase & { readonly status: 'Requested' })
  | (SessionBase & Issued & { readonly status: 'Active' })
  | (SessionBase & Issued & { readonly status: 'KeyLost'; readonly keyLostAt: IsoTimestamp })
  | (SessionBase & EndedFields & { readonly status: 'Ended' })
  | (SessionBase & EndedFields & { readonly status: 'KeyDestroyed'; readonly keyDestroyedAt: IsoTimestamp });

export type BreakGlassStatus = BreakGlassState['status'];
type Existing = Exclude<BreakGlassState, { status: 'Absent' }>;

const baseOf = (s: SessionBase): SessionBase => ({
  sessionId: s.sessionId,
  requester: s.requester,
  scope: s.scope,
  justification: s.justification,
  incidentRef: s.incidentRef,
  ttlSeconds: s.ttlSeconds,
  requestedAt: s.requestedAt,
  approvals: s.approvals,
});

const issuedOf = (s: Issued): Issued => ({
  signer: s.signer,
  activatedAt: s.activatedAt,
  expiresAt: s.expiresAt,
  signatureCount: s.signatureCount,
});

/** Ends a session (closed or expired), keeping what it had issued. */
function end(state: Existing, ending: SessionEnding, endedAt: IsoTimestamp): BreakGlassState {
  const running = state.status === 'Active' || state.status === 'KeyLost';
  const issued = running ? issuedOf(state) : null;
  return { ...baseOf(state), status: 'Ended', issued, ending, endedAt, keyLost: state.status === 'KeyLost' };
}

function update(state: BreakGlassState, change: (s: Existing) => BreakGlassState): BreakGlassState {
  return state.status === 'Absent' ? state : change(state);
}

/** Folds one session event into the state; out-of-order facts leave the state unchanged. */
export function evolveBreakGlass(state: BreakGlassState, event: BreakGlassEvent): BreakGlassState {
  switch (event.type) {
    case 'BreakGlassRequested': {
      const { requestedAt, ...rest } = event.data;
      return { ...rest, requestedAt, approvals: [], status: 'Requested' };
    }
    case 'BreakGlassApproved': {
      const { approver, role, approvedAt } = event.data;
      return update(state, (s) => ({ ...s, approvals: [...s.approvals, { approver, role, approvedAt }] }));
    }
    case 'BreakGlassActivated': {
      const { kid, publicKey, algorithm, activatedAt, expiresAt } = event.data;
      const signer = { kid, publicKey, algorithm };
      return update(state, (s) => ({ ...baseOf(s), status: 'Active', signer, activatedAt, expiresAt, signatureCount: 0 }));
    }
    case 'BreakGlassSignatureIssued':
      return update(state, (s) => (s.status === 'Active' ? { ...s, signatureCount: event.data.sequence } : s));
    case 'BreakGlassEmergencyKeyLost':
      return update(state, (s) => (s.status === 'Active' ? { ...s, status: 'KeyLost', keyLostAt: event.data.detectedAt } : s));
    case 'BreakGlassClosed': {
      const { closedBy, reason, closedAt } = event.data;
      return update(state, (s) => end(s, { kind: 'closed', closedBy, reason }, closedAt));
    }
    case 'BreakGlassExpired':
      return update(state, (s) => end(s, { kind: 'expired' }, event.data.expiredAt));
    case 'BreakGlassEmergencyKeyDestroyed':
      return update(state, (s) =>
        s.status === 'Ended' ? { ...s, status: 'KeyDestroyed', keyDestroyedAt: event.data.destroyedAt } : s,
      );
    default:
      return assertNever(event, 'break-glass event');
  }
}
