import {
  breakGlassStream,
  breakerStream,
  keyStream,
  signerRegistryStream,
  signingFreezeStream,
  type BreakerPosition,
  type KeyMode,
  type KeyPurpose,
  type KeyledgerEvent,
  type ProjectedEvent,
  type RotationReason,
  type Scope,
  type SignerOwner,
} from '@keyledger/kms-domain';

/** Day 0 of every fixture; times are whole days (and minutes) after it. */
export const T0 = Date.parse('2026-01-01T00:00:00.000Z');
export const DAY = 86_400_000;
export const at = (day: number): Date => new Date(T0 + day * DAY);
export const iso = (day: number): string => at(day).toISOString();

const material = (mode: KeyMode, n: number) =>
  mode === 'wrapped'
    ? ({ mode, wrappedMaterialSha256: n.toString(16).padStart(64, '0'), masterKeyRef: 'master-1' } as const)
    : ({ mode, providerKeyRef: `provider-ref-${n}` } as const);

export interface KeyOptions {
  readonly purpose?: KeyPurpose;
  readonly mode?: KeyMode;
  readonly rotationPeriodDays?: number;
}

/** Builders of every event the read models fold, each with its stream (positions come from a `Feed`). */
export const ev = {
  created: (tenantId: string, keyId: string, day: number, o: KeyOptions = {}): Built => {
    const purpose = o.purpose ?? 'sign';
    const mode = o.mode ?? 'wrapped';
    return key(tenantId, keyId, {
      type: 'KeyCreated',
      schemaVersion: 1,
      data: {
        tenantId,
        keyId,
        purpose,
        algorithm: purpose === 'sign' ? 'ECDSA_P256_SHA256' : 'AES_256_GCM',
        provider: 'local',
        mode,
        rotationPeriodDays: o.rotationPeriodDays ?? 90,
        material: material(mode, 1),
        createdAt: iso(day),
      },
    });
  },
  rotated: (tenantId: string, keyId: string, version: number, day: number, reason: RotationReason = 'scheduled', mode: KeyMode = 'wrapped'): Built =>
    key(tenantId, keyId, {
      type: 'KeyRotated',
      schemaVersion: 1,
      data: { tenantId, keyId, version, previousPrimaryVersion: version - 1, reason, material: material(mode, version), rotatedAt: iso(day) },
    }),
  disabled: (tenantId: string, keyId: string, day: number): Built => key(tenantId, keyId, { type: 'KeyDisabled', schemaVersion: 1, data: { tenantId, keyId, disabledAt: iso(day) } }),
  enabled: (tenantId: string, keyId: string, day: number): Built => key(tenantId, keyId, { type: 'KeyEnabled', schemaVersion: 1, data: { tenantId, keyId, enabledAt: iso(day) } }),
  deletionScheduled: (tenantId: string, keyId: string, day: number, windowDays = 7): Built =>
    key(tenantId, keyId, {
      type: 'KeyDeletionScheduled',
      schemaVersion: 1,
      data: { tenantId, keyId, pendingWindowDays: windowDays, scheduledAt: iso(day), deleteAfter: iso(day + windowDays) },
    }),
  deletionCancelled: (tenantId: string, keyId: string, day: number): Built =>
    key(tenantId, keyId, { type: 'KeyDeletionCancelled', schemaVersion: 1, data: { tenantId, keyId, cancelledAt: iso(day) } }),
  destroyed: (tenantId: string, keyId: string, day: number): Built => key(tenantId, keyId, { type: 'KeyDestroyed', schemaVersion: 1, data: { tenantId, keyId, destroyedAt: iso(day) } }),
  minDecryption: (tenantId: string, keyId: string, minDecryptionVersion: number, day: number): Built =>
    key(tenantId, keyId, { type: 'KeyMinDecryptionVersionSet', schemaVersion: 1, data: { tenantId, keyId, minDecryptionVersion, setAt: iso(day) } }),
  retain: (tenantId: string, keyId: string, retainVersions: number, day: number): Built =>
    key(tenantId, keyId, { type: 'KeyRetainVersionsSet', schemaVersion: 1, data: { tenantId, keyId, retainVersions, setAt: iso(day) } }),
  trimmed: (tenantId: string, keyId: string, minAvailableVersion: number, previousMinAvailableVersion: number, day: number): Built =>
    key(tenantId, keyId, { type: 'KeyVersionsTrimmed', schemaVersion: 1, data: { tenantId, keyId, minAvailableVersion, previousMinAvailableVersion, trimmedAt: iso(day) } }),
  periodChanged: (tenantId: string, keyId: string, rotationPeriodDays: number, day: number): Built =>
    key(tenantId, keyId, { type: 'KeyRotationPeriodChanged', schemaVersion: 1, data: { tenantId, keyId, rotationPeriodDays, changedAt: iso(day) } }),
  rotationFailed: (tenantId: string, keyId: string, primaryVersion: number, day: number): Built =>
    key(tenantId, keyId, {
      type: 'KeyRotationFailed',
      schemaVersion: 1,
      data: { tenantId, keyId, primaryVersion, reason: 'scheduled', code: 'PROVIDER_UNAVAILABLE', runId: 'run-1', failedAt: iso(day) },
    }),

  signerRegistered: (kid: string, owner: SignerOwner, day: number): Built => ({
    stream: signerRegistryStream(),
    event: {
      type: 'SignerRegistered',
      schemaVersion: 1,
      data: { kid, publicKey: `-----BEGIN PUBLIC KEY-----\n${kid}\n-----END PUBLIC KEY-----`, algorithm: 'ECDSA_P256_SHA256', owner, validFrom: iso(day), validUntil: null, registeredAt: iso(day) },
    },
  }),
  signerRetired: (kid: string, day: number): Built => ({
    stream: signerRegistryStream(),
    event: { type: 'SignerRetired', schemaVersion: 2, data: { kid, reason: 'rotated out', retiredAt: iso(day) } },
  }),

  requested: (sessionId: string, day: number, scope: Scope = { kind: 'global' }): Built =>
    session(sessionId, {
      type: 'BreakGlassRequested',
      schemaVersion: 1,
      data: { sessionId, requester: 'user:requester', scope, justification: 'provider outage', incidentRef: 'INC-1', ttlSeconds: 3600, requestedAt: iso(day) },
    }),
  approved: (sessionId: string, role: 'approver-security' | 'approver-finance', day: number): Built =>
    session(sessionId, { type: 'BreakGlassApproved', schemaVersion: 1, data: { sessionId, approver: `user:${role}`, role, approvedAt: iso(day) } }),
  activated: (sessionId: string, kid: string, day: number, expiresDay: number): Built =>
    session(sessionId, {
      type: 'BreakGlassActivated',
      schemaVersion: 1,
      data: { sessionId, kid, publicKey: `pem-${kid}`, algorithm: 'ED25519', activatedAt: iso(day), expiresAt: iso(expiresDay) },
    }),
  signatureIssued: (sessionId: string, kid: string, sequence: number, day: number): Built =>
    session(sessionId, {
      type: 'BreakGlassSignatureIssued',
      schemaVersion: 1,
      data: { sessionId, actor: 'service:signing-breakglass', requester: 'user:requester', tenantId: 'acme', kid, digest: 'ab'.repeat(32), justification: 'j', sequence, signedAt: iso(day) },
    }),
  keyLost: (sessionId: string, kid: string, day: number): Built =>
    session(sessionId, { type: 'BreakGlassEmergencyKeyLost', schemaVersion: 1, data: { sessionId, kid, detail: null, detectedAt: iso(day) } }),
  closed: (sessionId: string, day: number): Built =>
    session(sessionId, { type: 'BreakGlassClosed', schemaVersion: 1, data: { sessionId, closedBy: 'user:ops', reason: 'resolved', closedAt: iso(day) } }),
  expired: (sessionId: string, day: number): Built => session(sessionId, { type: 'BreakGlassExpired', schemaVersion: 1, data: { sessionId, expiredAt: iso(day) } }),
  emergencyKeyDestroyed: (sessionId: string, kid: string, day: number): Built =>
    session(sessionId, { type: 'BreakGlassEmergencyKeyDestroyed', schemaVersion: 1, data: { sessionId, kid, destroyedAt: iso(day) } }),

  breakerOpened: (name: string, instance: string, day: number, from: BreakerPosition = 'closed'): Built => ({
    stream: breakerStream(name),
    event: { type: 'BreakerOpened', schemaVersion: 1, data: { name, instance, from, failures: 5, calls: 8, failureRatio: 0.625, openedAt: iso(day) } },
  }),
  breakerHalfOpened: (name: string, instance: string, day: number): Built => ({
    stream: breakerStream(name),
    event: { type: 'BreakerHalfOpened', schemaVersion: 1, data: { name, instance, from: 'open', halfOpenedAt: iso(day) } },
  }),
  outageConfirmed: (name: string, instance: string, day: number, position: 'open' | 'half-open' = 'open'): Built => ({
    stream: breakerStream(name),
    event: { type: 'BreakerOutageConfirmed', schemaVersion: 1, data: { name, instance, from: position, position, confirmedAt: iso(day) } },
  }),
  outageEnded: (name: string, instance: string, day: number, from: BreakerPosition = 'open'): Built => ({
    stream: breakerStream(name),
    event: { type: 'BreakerOutageEnded', schemaVersion: 1, data: { name, instance, from, reason: 'instance-restarted', recordedBy: 'api-9', endedAt: iso(day) } },
  }),
  breakerClosed: (name: string, instance: string, day: number): Built => ({
    stream: breakerStream(name),
    event: { type: 'BreakerClosed', schemaVersion: 1, data: { name, instance, from: 'half-open', consecutiveSuccesses: 3, closedAt: iso(day) } },
  }),

  frozen: (scope: Scope, day: number): Built => ({
    stream: signingFreezeStream(scope),
    event: { type: 'SigningFrozen', schemaVersion: 1, data: { scope, reason: 'incident', frozenBy: 'user:ops', frozenAt: iso(day) } },
  }),
  resumed: (scope: Scope, day: number): Built => ({
    stream: signingFreezeStream(scope),
    event: { type: 'SigningResumed', schemaVersion: 1, data: { scope, resumedBy: 'user:lead', resumedAt: iso(day) } },
  }),
};

/** An event with the stream it belongs to, before the store gives it a position. */
export interface Built {
  readonly stream: string;
  readonly event: KeyledgerEvent;
}

const key = (tenantId: string, keyId: string, event: KeyledgerEvent): Built => ({ stream: keyStream(tenantId, keyId), event });
const session = (sessionId: string, event: KeyledgerEvent): Built => ({ stream: breakGlassStream(sessionId), event });

/**
 * Gives events rising global positions as a store would, with a gap of `gap` between events
 * (EventStoreDB positions are commit positions, not consecutive numbers).
 */
export class Feed {
  private last: number;
  readonly all: ProjectedEvent[] = [];

  constructor(
    private readonly gap = 1,
    start = 0,
  ) {
    this.last = start;
  }

  /** Positions the events, remembers them and returns them as one page. */
  page(...built: Built[]): ProjectedEvent[] {
    const page = built.map(({ stream, event }) => ({ event, streamName: stream, position: (this.last += this.gap) }));
    this.all.push(...page);
    return page;
  }

  /** The position the next event will get. */
  next(): number {
    return this.last + this.gap;
  }
}
