import type { RecordedEvent } from '@keyledger/kms-domain';
import type { AuditCheckpointSigned } from '../checkpoint/checkpoint-event';
import { MerkleTree } from '../merkle/merkle-tree';
import { sameHash, verifyConsistency } from '../merkle/merkle-verify';
import type { NoteVerifierKey } from '../note/note-keys';
import { Checkpoint, parseCheckpointNote, verifyCheckpointNote } from '../note/signed-note';
import type { Finding, Report } from './findings';

/** A checkpoint as the replay checked it. */
export interface CheckedCheckpoint {
  readonly position: number;
  readonly treeSize: number;
  readonly rootHash: string;
  readonly signatureValid: boolean;
  readonly rootValid: boolean;
}

/**
 * Checks each checkpoint when the replay reaches it, so the tree then holds exactly the audited
 * events that precede it: signature by the pinned key, note agreeing with the event data, root
 * equal to the recomputed root at its size, and consistency with the checkpoint before it.
 */
export class CheckpointCheck {
  readonly checked: CheckedCheckpoint[] = [];
  private previous: { origin: string; treeSize: number; root: Buffer; position: number; rootValid: boolean } | null = null;

  constructor(private readonly pinned: NoteVerifierKey) {}

  check(event: RecordedEvent, tree: MerkleTree, positions: readonly number[], report: Report): void {
    const data = event.data as AuditCheckpointSigned['data'];
    const at = (rule: Finding['rule'], detail: string) => report({ position: event.position, stream: event.streamName, rule, detail });
    const claimed = this.claimed(data, at);
    if (claimed === null) return;
    const verdict = verifyCheckpointNote(data.note, this.pinned);
    if (!verdict.ok) at('checkpoint-signature', verdict.reason);
    const rootValid = this.checkRoot(claimed, data, tree, positions, at);
    this.checkConsistency(claimed, rootValid, tree, at);
    this.checked.push({ position: event.position, treeSize: claimed.treeSize, rootHash: data.rootHash, signatureValid: verdict.ok, rootValid });
    this.previous = { origin: claimed.origin, treeSize: claimed.treeSize, root: claimed.rootHash, position: event.position, rootValid };
  }

  private claimed(data: AuditCheckpointSigned['data'], at: (rule: Finding['rule'], detail: string) => void): Checkpoint | null {
    let note: Checkpoint;
    try {
      note = parseCheckpointNote(data.note).checkpoint;
    } catch (error) {
      at('checkpoint-signature', `unreadable note: ${error instanceof Error ? error.message : 'unknown'}`);
      return null;
    }
    if (note.treeSize !== data.treeSize || note.rootHash.toString('base64') !== data.rootHash || note.origin !== data.origin) {
      at('checkpoint-root', 'event data disagrees with its signed note');
    }
    return note;
  }

  private checkRoot(claimed: Checkpoint, data: AuditCheckpointSigned['data'], tree: MerkleTree, positions: readonly number[], at: (rule: Finding['rule'], detail: string) => void): boolean {
    if (claimed.treeSize > tree.size) {
      at('checkpoint-root', `covers ${claimed.treeSize} events but only ${tree.size} audited events precede it`);
      return false;
    }
    if (!sameHash(tree.root(claimed.treeSize), claimed.rootHash)) {
      const since = this.previous && this.previous.treeSize <= claimed.treeSize ? this.previous.treeSize : 0;
      const range = since < claimed.treeSize ? `positions ${positions[since]}..${positions[claimed.treeSize - 1]}` : 'no events';
      at('checkpoint-root', `signed root of ${claimed.treeSize} events differs from the recomputed root; leaves ${since}..${claimed.treeSize - 1} (${range}) changed, or events were inserted or removed`);
      return false;
    }
    const last = claimed.treeSize === 0 ? 0 : positions[claimed.treeSize - 1];
    if (data.lastPosition !== last) at('checkpoint-root', `lastPosition ${data.lastPosition} but the tree's last event is at ${last}`);
    return data.lastPosition === last;
  }

  /**
   * A checkpoint must extend the one before it: same origin, no smaller tree, and (when both roots
   * match the recomputed tree) a consistency proof between them that verifies. When a root does not
   * match, checkpoint-root already says so and a consistency finding would only repeat it.
   */
  private checkConsistency(claimed: Checkpoint, rootValid: boolean, tree: MerkleTree, at: (rule: Finding['rule'], detail: string) => void): void {
    const prev = this.previous;
    if (prev === null) return;
    if (claimed.origin !== prev.origin) at('checkpoint-consistency', `origin changed from ${prev.origin} (checkpoint at ${prev.position}) to ${claimed.origin}`);
    if (claimed.treeSize < prev.treeSize) {
      at('checkpoint-consistency', `tree shrank from ${prev.treeSize} (checkpoint at ${prev.position}) to ${claimed.treeSize}`);
      return;
    }
    if (!rootValid || !prev.rootValid) return;
    const proof = tree.consistencyProof(prev.treeSize, claimed.treeSize);
    if (!verifyConsistency(prev.treeSize, claimed.treeSize, proof, prev.root, claimed.rootHash)) {
      at('checkpoint-consistency', `not an extension of the checkpoint at position ${prev.position} (size ${prev.treeSize})`);
    }
  }

}
