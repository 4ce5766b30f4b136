import type { Scope } from '../shared/scope';
import type { ApproverRole, EmergencySigner } from './break-glass-events';

interface SessionCommand {
  readonly sessionId: string;
  readonly now: Date;
}

export interface RequestBreakGlass extends SessionCommand {
  readonly type: 'RequestBreakGlass';
  readonly requester: string;
  readonly scope: Scope;
  /** 20..2000 characters. */
  readonly justification: string;
  readonly incidentRef: string;
  /** 1 s..24 h, default 4 h. */
  readonly ttlSeconds?: number;
}

export interface ApproveBreakGlass extends SessionCommand {
  readonly type: 'ApproveBreakGlass';
  readonly approver: string;
  /** The approver's role as established by authentication. */
  readonly role: ApproverRole;
  /** Required on (and only on) the approval that completes the quorum. */
  readonly emergencySigner?: EmergencySigner;
  /** BREAKGLASS_REQUEST_TTL_MINUTES in seconds: a request older than this can no longer be approved. */
  readonly requestTtlSeconds?: number;
}

export interface RecordBreakGlassSignature extends SessionCommand {
  readonly type: 'RecordBreakGlassSignature';
  /** Tenant the signed payload belongs to; must fit the session's scope. */
  readonly tenantId: string;
  readonly digest: string;
  readonly justification: string;
}

export interface RecordEmergencyKeyLost extends SessionCommand {
  readonly type: 'RecordEmergencyKeyLost';
  readonly detail?: string;
}

export interface CloseBreakGlass extends SessionCommand {
  readonly type: 'CloseBreakGlass';
  readonly closedBy: string;
  readonly reason: string;
}

export interface ExpireBreakGlass extends SessionCommand {
  readonly type: 'ExpireBreakGlass';
  /** With it, a session still `Requested` this long after its request expires too. */
  readonly requestTtlSeconds?: number;
}

export interface DestroyEmergencyKey extends SessionCommand {
  readonly type: 'DestroyEmergencyKey';
}

export type BreakGlassCommand =
  | RequestBreakGlass
  | ApproveBreakGlass
  | RecordBreakGlassSignature
  | RecordEmergencyKeyLost
  | CloseBreakGlass
  | ExpireBreakGlass
  | DestroyEmergencyKey;

/** A session command before its side effect: an approval without the emergency signer, the others as they are. */
export type PendingBreakGlassCommand = Omit<ApproveBreakGlass, 'emergencySigner'> | Exclude<BreakGlassCommand, ApproveBreakGlass>;
