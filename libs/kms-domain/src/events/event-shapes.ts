import { APPROVER_ROLES, BREAK_GLASS_ACTOR } from '../break-glass/break-glass-events';
import { ENCRYPTION_ALGORITHMS, KEY_MODES, KEY_PURPOSES, MAC_ALGORITHMS, ROTATION_REASONS, SIGNING_ALGORITHMS } from '../key/key-types';
import type { KeyledgerEventType } from './catalogue';
import { type DataShape, type FieldCheck, hex64, id, int, iso, nullable, oneOf, positive, ratio, scope, shape, str, stringMap, text } from './field-checks';

const key = { tenantId: id, keyId: id };
const session = { sessionId: id };
const breaker = { name: id, instance: str, from: oneOf(['closed', 'open', 'half-open']) };
const signingAlgorithm = oneOf(SIGNING_ALGORITHMS);
const wrappedRef = shape({ mode: oneOf(['wrapped']), wrappedMaterialSha256: hex64, masterKeyRef: str });
const residentRef = shape({ mode: oneOf(['provider-resident']), providerKeyRef: str });
const materialRef: FieldCheck = (v) => wrappedRef(v) || residentRef(v);
const keyVersionOwner = shape({ kind: oneOf(['key-version']), tenantId: id, keyId: id, version: positive });
const breakGlassOwner = shape({ kind: oneOf(['break-glass']), sessionId: id });
const owner: FieldCheck = (v) => keyVersionOwner(v) || breakGlassOwner(v);
const job = { jobId: id };
const counts = { rotated: int, skipped: int, failed: int };

/**
 * The data shape of every domain event type at its current schema version (docs/events.md): the
 * one set of shape checks, used by the decoder (every read of a stored event) and by the audit
 * verifier. Every listed field is required and no other field is allowed.
 */
export const EVENT_DATA_SHAPES: Readonly<Record<KeyledgerEventType, DataShape>> = {
  KeyCreated: {
    ...key,
    purpose: oneOf(KEY_PURPOSES),
    algorithm: oneOf([...SIGNING_ALGORITHMS, ...ENCRYPTION_ALGORITHMS, ...MAC_ALGORITHMS]),
    provider: str,
    mode: oneOf(KEY_MODES),
    rotationPeriodDays: positive,
    material: materialRef,
    createdAt: iso,
  },
  KeyRotated: { ...key, version: positive, previousPrimaryVersion: positive, reason: oneOf(ROTATION_REASONS), material: materialRef, rotatedAt: iso },
  KeyDisabled: { ...key, disabledAt: iso },
  KeyEnabled: { ...key, enabledAt: iso },
  KeyDeletionScheduled: { ...key, pendingWindowDays: positive, scheduledAt: iso, deleteAfter: iso },
  KeyDeletionCancelled: { ...key, cancelledAt: iso },
  KeyDestroyed: { ...key, destroyedAt: iso },
  KeyMinDecryptionVersionSet: { ...key, minDecryptionVersion: positive, setAt: iso },
  KeyRotationPeriodChanged: { ...key, rotationPeriodDays: positive, changedAt: iso },
  KeyRotationFailed: { ...key, primaryVersion: positive, reason: oneOf(ROTATION_REASONS), code: str, runId: str, failedAt: iso },
  KeyMinEncryptionVersionSet: { ...key, minEncryptionVersion: int, setAt: iso },
  KeyVersionsTrimmed: { ...key, minAvailableVersion: positive, previousMinAvailableVersion: positive, trimmedAt: iso },
  KeyRetainVersionsSet: { ...key, retainVersions: int, setAt: iso },
  KeyMaterialWrapped: { ...key, version: positive, wrappedMaterial: str, wrappedMaterialSha256: hex64, masterKeyRef: str, encryptionContext: stringMap, wrappedAt: iso },
  BreakGlassRequested: { ...session, requester: str, scope, justification: text(20, 2000), incidentRef: str, ttlSeconds: positive, requestedAt: iso },
  BreakGlassApproved: { ...session, approver: str, role: oneOf(APPROVER_ROLES), approvedAt: iso },
  BreakGlassActivated: { ...session, kid: id, publicKey: str, algorithm: signingAlgorithm, activatedAt: iso, expiresAt: iso },
  BreakGlassSignatureIssued: {
    ...session,
    actor: oneOf([BREAK_GLASS_ACTOR]),
    requester: str,
    tenantId: id,
    kid: id,
    digest: hex64,
    justification: str,
    sequence: positive,
    signedAt: iso,
  },
  BreakGlassEmergencyKeyLost: { ...session, kid: id, detail: nullable(str), detectedAt: iso },
  BreakGlassClosed: { ...session, closedBy: str, reason: str, closedAt: iso },
  BreakGlassExpired: { ...session, expiredAt: iso },
  BreakGlassEmergencyKeyDestroyed: { ...session, kid: id, destroyedAt: iso },
  SigningFrozen: { scope, reason: text(1, 500), frozenBy: str, frozenAt: iso },
  SigningResumed: { scope, resumedBy: str, resumedAt: iso },
  SignerRegistered: { kid: id, publicKey: str, algorithm: signingAlgorithm, owner, validFrom: iso, validUntil: nullable(iso), registeredAt: iso },
  SignerRetired: { kid: id, reason: nullable(str), retiredAt: iso },
  BreakerOpened: { ...breaker, failures: int, calls: int, failureRatio: ratio, openedAt: iso },
  BreakerHalfOpened: { ...breaker, halfOpenedAt: iso },
  BreakerClosed: { ...breaker, consecutiveSuccesses: int, closedAt: iso },
  BreakerOutageConfirmed: { ...breaker, position: oneOf(['open', 'half-open']), confirmedAt: iso },
  BreakerOutageEnded: { ...breaker, reason: oneOf(['instance-stopped', 'instance-restarted']), recordedBy: str, endedAt: iso },
  RotationJobClaimed: { ...job, claimedBy: str, claimedAt: iso },
  RotationJobStarted: { ...job, startedAt: iso, requestedBy: str, owner: str, total: int },
  RotationJobProgressed: { ...job, ...counts, at: iso },
  RotationJobResumed: { ...job, resumedBy: str, previousOwner: str, resumedAt: iso },
  RotationJobCompleted: { ...job, ...counts, finishedAt: iso },
};
