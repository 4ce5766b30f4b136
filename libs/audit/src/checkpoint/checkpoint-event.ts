import type { DomainEvent, IsoTimestamp } from '@keyledger/kms-domain';

/** The stream holding every signed checkpoint, in signing order. */
export const AUDIT_CHECKPOINT_STREAM = 'audit-checkpoints';

/**
 * Witness cosignatures of checkpoints (C2SP tlog-cosignature lines), stored after the fact. Not in
 * the tree: each is a signed statement about a checkpoint, verified on its own, and as a leaf it
 * would make every cosignature call for yet another checkpoint.
 */
export const AUDIT_COSIGNATURE_STREAM = 'audit-cosignatures';

/** Streams left out of the Merkle tree: deletable key material, and the checkpoints themselves. */
export const UNAUDITED_CATEGORIES: readonly string[] = ['keymaterial', 'keymaterialv'];

/**
 * A signed tree head over the first `treeSize` audited events in global order. `note` is the C2SP
 * signed note (the part auditors verify); the other fields repeat it for querying.
 */
export type AuditCheckpointSigned = DomainEvent<
  'AuditCheckpointSigned',
  {
    readonly origin: string;
    readonly treeSize: number;
    /** Base64 of the 32-byte root, as in the note. */
    readonly rootHash: string;
    /** Global position of the last event in the tree (0 for an empty tree). */
    readonly lastPosition: number;
    readonly keyName: string;
    /** Hex of the 4-byte signed-note key ID. */
    readonly keyId: string;
    readonly note: string;
    readonly signedAt: IsoTimestamp;
  }
>;

export const AUDIT_CHECKPOINT_EVENT_TYPE = 'AuditCheckpointSigned';
export const AUDIT_CHECKPOINT_SCHEMA_VERSION = 1;

/**
 * True for events that belong in the tree: everything except the key-material streams (deleted
 * when a key is destroyed), the checkpoint stream and the cosignature stream. Unknown categories are audited (fail safe).
 */
export function isAuditedStream(streamName: string): boolean {
  if (streamName === AUDIT_CHECKPOINT_STREAM || streamName === AUDIT_COSIGNATURE_STREAM) return false;
  const dash = streamName.indexOf('-');
  const category = dash < 0 ? streamName : streamName.slice(0, dash);
  return !UNAUDITED_CATEGORIES.includes(category);
}

/** A witness cosigned the checkpoint of `treeSize` (C2SP tlog-witness); `cosignature` is its note signature line. */
export type AuditCheckpointCosigned = DomainEvent<
  'AuditCheckpointCosigned',
  {
    readonly origin: string;
    readonly treeSize: number;
    /** Base64 root of the cosigned checkpoint. */
    readonly rootHash: string;
    /** Global position of the `AuditCheckpointSigned` event it cosigns. */
    readonly checkpointPosition: number;
    /** The witness's key name. */
    readonly witness: string;
    /** Hex of the witness's 4-byte key ID. */
    readonly witnessKeyId: string;
    /** POSIX seconds the witness signed at (inside the cosignature). */
    readonly timestamp: number;
    /** `— <witness> base64(key ID ‖ timestamp ‖ signature)`, without the final newline. */
    readonly cosignature: string;
    readonly cosignedAt: IsoTimestamp;
  }
>;

export const AUDIT_COSIGNATURE_EVENT_TYPE = 'AuditCheckpointCosigned';
export const AUDIT_COSIGNATURE_SCHEMA_VERSION = 1;
