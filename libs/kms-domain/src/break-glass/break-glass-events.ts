import type { DomainEvent, IsoTimestamp } from '../shared/domain-event';
import type { Scope } from '../shared/scope';
import type { KeySigningAlgorithm } from '../key/key-types';

export const APPROVER_ROLES = ['approver-security', 'approver-finance'] as const;
/** The two roles whose holders must both approve, neither being the requester. */
export type ApproverRole = (typeof APPROVER_ROLES)[number];

/** Actor recorded on every emergency signature. */
export const BREAK_GLASS_ACTOR = 'service:signing-breakglass';

/** The emergency signer issued at activation (public part only). */
export interface EmergencySigner {
  readonly kid: string;
  readonly publicKey: string;
  readonly algorithm: KeySigningAlgorithm;
}

interface SessionRef {
  readonly sessionId: string;
}

export type BreakGlassRequested = DomainEvent<
  'BreakGlassRequested',
  SessionRef & {
    readonly requester: string;
    readonly scope: Scope;
    readonly justification: string;
    readonly incidentRef: string;
    readonly ttlSeconds: number;
    readonly requestedAt: IsoTimestamp;
  }
>;

export type BreakGlassApproved = DomainEvent<
  'BreakGlassApproved',
  SessionRef & { readonly approver: string; readonly role: ApproverRole; readonly approvedAt: IsoTimestamp }
>;

/** The second approval: the emergency signer exists and the session runs until `expiresAt`. */
export type BreakGlassActivated = DomainEvent<
  'BreakGlassActivated',
  SessionRef & EmergencySigner & { readonly activatedAt: IsoTimestamp; readonly expiresAt: IsoTimestamp }
>;

/** Recorded before the emergency signature is returned to the caller. */
export type BreakGlassSignatureIssued = DomainEvent<
  'BreakGlassSignatureIssued',
  SessionRef & {
    readonly actor: typeof BREAK_GLASS_ACTOR;
    readonly requester: string;
    readonly tenantId: string;
    readonly kid: string;
    /** SHA-256 hex of the signed payload. */
    readonly digest: string;
    readonly justification: string;
    /** 1, 2, ... within the session. */
    readonly sequence: number;
    readonly signedAt: IsoTimestamp;
  }
>;

/** The emergency private key is gone (e.g. a restart); the session can no longer sign. */
export type BreakGlassEmergencyKeyLost = DomainEvent<
  'BreakGlassEmergencyKeyLost',
  SessionRef & { readonly kid: string; readonly detail: string | null; readonly detectedAt: IsoTimestamp }
>;

export type BreakGlassClosed = DomainEvent<
  'BreakGlassClosed',
  SessionRef & { readonly closedBy: string; readonly reason: string; readonly closedAt: IsoTimestamp }
>;

export type BreakGlassExpired = DomainEvent<'BreakGlassExpired', SessionRef & { readonly expiredAt: IsoTimestamp }>;

export type BreakGlassEmergencyKeyDestroyed = DomainEvent<
  'BreakGlassEmergencyKeyDestroyed',
  SessionRef & { readonly kid: string; readonly destroyedAt: IsoTimestamp }
>;

export type BreakGlassEvent =
  | BreakGlassRequested
  | BreakGlassApproved
  | BreakGlassActivated
  | BreakGlassSignatureIssued
  | BreakGlassEmergencyKeyLost
  | BreakGlassClosed
  | BreakGlassExpired
  | BreakGlassEmergencyKeyDestroyed;
