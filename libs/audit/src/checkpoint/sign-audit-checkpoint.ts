import { EventContext, EventStore, isConcurrencyConflict } from '@keyledger/kms-domain';
import { noteKeyId } from '../note/note-keys';
import { CheckpointSigner, signCheckpoint } from '../note/signed-note';
import { AuditLog, StoredCheckpoint } from './audit-log';
import { AUDIT_CHECKPOINT_EVENT_TYPE, AUDIT_CHECKPOINT_SCHEMA_VERSION, AUDIT_CHECKPOINT_STREAM, AuditCheckpointSigned } from './checkpoint-event';

/** What the checkpoint job needs besides the log: the origin line, the signer, and the event's context. */
export interface SignCheckpointCommand {
  /** Origin line of every checkpoint, e.g. `keyledger.example/audit` (stable for the log's lifetime). */
  readonly origin: string;
  readonly signer: CheckpointSigner;
  /** More signatures by the log on the same note (the Ed25519 note key), after the signer's line. */
  readonly cosigners?: readonly CheckpointSigner[];
  /** Event id, time, actor and correlation of the checkpoint event (no hidden clock or randomness). */
  readonly context: EventContext;
}

/** Outcome: a new checkpoint, nothing new to cover, or another replica signed first. */
export type SignCheckpointResult =
  | { readonly status: 'signed'; readonly checkpoint: StoredCheckpoint }
  | { readonly status: 'unchanged'; readonly checkpoint: StoredCheckpoint | null }
  | { readonly status: 'raced' };

/**
 * The scheduler's checkpoint use case: catch the tree up, and when audited events were added since
 * the newest checkpoint, sign the new tree head and append it to `audit-checkpoints` with the
 * stream's revision as expected (so concurrent schedulers never sign twice for one head).
 */
export async function signAuditCheckpoint(log: AuditLog, store: EventStore, command: SignCheckpointCommand): Promise<SignCheckpointResult> {
  await log.catchUp();
  const latest = log.latestCheckpoint();
  const treeSize = log.size;
  if (treeSize === 0 || (latest !== null && latest.data.treeSize >= treeSize)) return { status: 'unchanged', checkpoint: latest };
  const rootHash = log.root(treeSize);
  // Read before awaiting the signer: a concurrent catch-up may grow the log or see another checkpoint.
  const lastPosition = log.lastPosition;
  const revision = log.checkpointStreamRevision();
  const note = await signCheckpoint({ origin: command.origin, treeSize, rootHash }, [command.signer, ...(command.cosigners ?? [])]);
  const event: AuditCheckpointSigned = {
    type: AUDIT_CHECKPOINT_EVENT_TYPE,
    schemaVersion: AUDIT_CHECKPOINT_SCHEMA_VERSION,
    data: {
      origin: command.origin,
      treeSize,
      rootHash: rootHash.toString('base64'),
      lastPosition,
      keyName: command.signer.keyName,
      keyId: noteKeyId(command.signer.keyName, command.signer.algorithm, command.signer.publicKeySpki).toString('hex'),
      note,
      signedAt: command.context.occurredAt,
    },
  };
  try {
    const result = await store.append(AUDIT_CHECKPOINT_STREAM, [{ ...event, metadata: command.context }], {
      expectedRevision: revision === null ? 'no-stream' : revision,
    });
    await log.catchUp();
    return { status: 'signed', checkpoint: { position: result.position, revision: result.revision, data: event.data } };
  } catch (error) {
    if (isConcurrencyConflict(error)) return { status: 'raced' };
    throw error;
  }
}
