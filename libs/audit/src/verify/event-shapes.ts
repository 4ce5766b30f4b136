import { EVENT_DATA_SHAPES, EVENT_SCHEMA_VERSIONS, fieldChecks, type DataShape, type KeyledgerEventType } from '@keyledger/kms-domain';
import { AUDIT_KEY_SCHEMA_VERSION, AUDIT_KEY_STREAM } from '../checkpoint/audit-key';
import { AUDIT_CHECKPOINT_SCHEMA_VERSION, AUDIT_CHECKPOINT_STREAM, AUDIT_COSIGNATURE_SCHEMA_VERSION, AUDIT_COSIGNATURE_STREAM } from '../checkpoint/checkpoint-event';
import { AUDIT_NOTE_KEY_SCHEMA_VERSION } from '../checkpoint/note-key';

const { hex64, int, iso, oneOf, str } = fieldChecks;

type AuditType = 'AuditCheckpointSigned' | 'AuditCheckpointCosigned' | 'AuditKeyCreated' | 'AuditNoteKeyCreated';

/** Data shape of the audit's own event types; the domain's come from the catalogue (EVENT_DATA_SHAPES). */
export const AUDIT_EVENT_SHAPES: Readonly<Record<AuditType, DataShape>> = {
  AuditCheckpointSigned: { origin: str, treeSize: int, rootHash: str, lastPosition: int, keyName: str, keyId: str, note: str, signedAt: iso },
  AuditCheckpointCosigned: { origin: str, treeSize: int, rootHash: str, checkpointPosition: int, witness: str, witnessKeyId: str, timestamp: int, cosignature: str, cosignedAt: iso },
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
  AuditNoteKeyCreated: {
    keyName: str,
    algorithm: oneOf(['ED25519']),
    custody: oneOf(['wrapped']),
    provider: oneOf(['local', 'aws', 'pkcs11']),
    masterKeyRef: str,
    wrappedMaterialSha256: hex64,
    publicKey: str,
    keyId: str,
    verifierKey: str,
    createdAt: iso,
  },
};

/** Data shape of every known event type (docs/events.md), plus the audit checkpoint and audit key. */
export const EVENT_SHAPES: Readonly<Record<KeyledgerEventType | AuditType, DataShape>> = {
  ...EVENT_DATA_SHAPES,
  ...AUDIT_EVENT_SHAPES,
};

/** Schema version every known type must carry. */
export const EXPECTED_VERSIONS: Readonly<Record<string, number>> = {
  ...EVENT_SCHEMA_VERSIONS,
  AuditCheckpointSigned: AUDIT_CHECKPOINT_SCHEMA_VERSION,
  AuditCheckpointCosigned: AUDIT_COSIGNATURE_SCHEMA_VERSION,
  AuditKeyCreated: AUDIT_KEY_SCHEMA_VERSION,
  AuditNoteKeyCreated: AUDIT_NOTE_KEY_SCHEMA_VERSION,
};

/** Audit types that live in one stream of their own, by exact name. */
export const EXACT_STREAMS: Readonly<Record<string, string>> = {
  AuditCheckpointSigned: AUDIT_CHECKPOINT_STREAM,
  AuditCheckpointCosigned: AUDIT_COSIGNATURE_STREAM,
  AuditKeyCreated: AUDIT_KEY_STREAM,
  AuditNoteKeyCreated: AUDIT_KEY_STREAM,
};

/** Stream category each event type belongs to (the checkpoint lives in `audit-checkpoints`). */
export function expectedCategory(type: string): string {
  if (type === 'KeyMaterialWrapped') return 'keymaterial';
  if (type.startsWith('Audit')) return 'audit';
  if (type.startsWith('BreakGlass')) return 'breakglass';
  if (type.startsWith('Breaker')) return 'breaker';
  if (type.startsWith('Signing')) return 'signingfreeze';
  if (type.startsWith('Signer')) return 'signerregistry';
  if (type === 'RotationJobClaimed') return 'rotationjobs';
  if (type.startsWith('RotationJob')) return 'rotationjob';
  return 'key';
}
