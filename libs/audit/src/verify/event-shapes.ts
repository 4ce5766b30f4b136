import {
  APPROVER_ROLES,
  BREAK_GLASS_ACTOR,
  EVENT_SCHEMA_VERSIONS,
  KEY_MODES,
  KEY_PURPOSES,
  ROTATION_REASONS,
  SIGNING_ALGORITHMS,
  ENCRYPTION_ALGORITHMS,
  type KeyledgerEventType,
} from '@keyledger/kms-domain';
import { AUDIT_KEY_SCHEMA_VERSION, AUDIT_KEY_STREAM } from '../checkpoint/audit-key';
import { AUDIT_CHECKPOINT_SCHEMA_VERSION, AUDIT_CHECKPOINT_STREAM } from '../checkpoint/checkpoint-event';
import { DataShape, hex64, id, int, iso, nullable, oneOf, positive, ratio, scope, shape, str, stringMap, text } from './field-checks';

const key = { tenantId: id, keyId: id };
const session = { sessionId: id };
const breaker = { name: id, instance: str, from: oneOf(['closed', 'open', 'half-open']) };
const signingAlgorithm = oneOf(SIGNING_ALGORITHMS);
const wrappedRef = shape({ mode: oneOf(['wrapped']), wrappedMaterialSha256: hex64, masterKeyRef: str });
const residentRef = shape({ mode: oneOf(['provider-resident']), providerKeyRef: str });
const materialRef = (v: unknown) => wrappedRef(v) || residentRef(v);
const keyVersionOwner = shape({ kind: oneOf(['key-version']), tenantId: id, keyId: id, version: positive });
const breakGlassOwner = shape({ kind: oneOf(['break-glass']), sessionId: id });
const owner = (v: unknown) => keyVersionOwner(v) || breakGlassOwner(v);
const job = { jobId: id };
const counts = { rotated: int, skipped: int, failed: int };

/** Data shape of every known event type (docs/events.md), plus the audit checkpoint and audit key. */
export const EVENT_SHAPES: Readonly<Record<KeyledgerEventType | 'AuditCheckpointSigned' | 'AuditKeyCreated', DataShape>> = {
  KeyCreated: {
    ...key,
    purpose: oneOf(KEY_PURPOSES),
    algorithm: oneOf([...SIGNING_ALGORITHMS, ...ENCRYPTION_ALGORITHMS]),
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
  AuditCheckpointSigned: { origin: str, treeSize: int, rootHash: str, lastPosition: int, keyName: str, keyId: str, note: str, signedAt: iso },
  AuditKeyCreated: {
    keyName: str,
    origin: str,
    algorithm: oneOf(['ECDSA_P256_SHA256']),
    provider: oneOf(['local', 'aws', 'pkcs11']),
    providerKeyId: str,
    publicKey: str,
    keyId: str,
    createdAt: iso,
  },
};

/** Schema version every known type must carry. */
export const EXPECTED_VERSIONS: Readonly<Record<string, number>> = {
  ...EVENT_SCHEMA_VERSIONS,
  AuditCheckpointSigned: AUDIT_CHECKPOINT_SCHEMA_VERSION,
  AuditKeyCreated: AUDIT_KEY_SCHEMA_VERSION,
};

/** Audit types that live in one stream of their own, by exact name. */
export const EXACT_STREAMS: Readonly<Record<string, string>> = { AuditCheckpointSigned: AUDIT_CHECKPOINT_STREAM, AuditKeyCreated: AUDIT_KEY_STREAM };

/** Stream category each event type belongs to (the checkpoint lives in `audit-checkpoints`). */
export function expectedCategory(type: string): string {
  if (type === 'KeyMaterialWrapped') return 'keymaterial';
  if (type === 'AuditCheckpointSigned' || type === 'AuditKeyCreated') return 'audit';
  if (type.startsWith('BreakGlass')) return 'breakglass';
  if (type.startsWith('Breaker')) return 'breaker';
  if (type.startsWith('Signing')) return 'signingfreeze';
  if (type.startsWith('Signer')) return 'signerregistry';
  if (type === 'RotationJobClaimed') return 'rotationjobs';
  if (type.startsWith('RotationJob')) return 'rotationjob';
  return 'key';
}
