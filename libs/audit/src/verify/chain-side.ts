import { AUDIT_CHECKPOINT_EVENT_TYPE, AUDIT_CHECKPOINT_STREAM, AUDIT_COSIGNATURE_EVENT_TYPE, AUDIT_COSIGNATURE_STREAM, type AuditCheckpointCosigned, type AuditCheckpointSigned } from '../checkpoint/checkpoint-event';
import { eventLeafDigest } from '../merkle/merkle-hash';
import { MerkleTree } from '../merkle/merkle-tree';
import type { NoteVerifierKey } from '../note/note-keys';
import type { AuditRecord } from './audit-record';
import { ChainCheck, RecordedStreamHead, checkStreamHeads } from './chain-check';
import { CheckpointCheck } from './checkpoint-check';
import { decodeRow } from './decode-row';
import { IndexedFindings } from './indexed-findings';
import { schemaProblem } from './schema-check';
import { WitnessCheck, type WitnessPolicy } from './witness-check';

/**
 * The half of the replay that works on the stored bytes: global order, every stream's hash chain
 * (revision sequence, prevHash links, SHA-256 of each body), the Merkle tree over the audited
 * events, the checkpoints (signature, root, consistency) and the store's recorded stream heads.
 * It decodes only the checkpoint stream's rows. Its findings for an event come in two lists:
 * `before` (order and chain: ahead of the event half's findings for the same event) and `after`
 * (checkpoints, and the stream heads at the end), as the single-threaded replay orders them.
 */
export class ChainSide {
  readonly before = new IndexedFindings();
  readonly after = new IndexedFindings();
  readonly chain = new ChainCheck();
  readonly tree = new MerkleTree();
  readonly checkpoints: CheckpointCheck;
  private readonly witnesses: WitnessCheck | null;
  private readonly positions: number[] = [];
  private lastPosition = 0;

  constructor(auditKey: NoteVerifierKey, witnesses?: WitnessPolicy) {
    this.checkpoints = new CheckpointCheck(auditKey);
    this.witnesses = witnesses === undefined || witnesses.witnesses.length === 0 ? null : new WitnessCheck(witnesses);
  }

  /** Checks the row at replay index `index`; `decoded` is its record when the caller has decoded it already. */
  row(index: number, position: number, streamName: string, revision: number, prevHash: string, hash: string, body: string, decoded: AuditRecord | null): void {
    const before = this.before;
    before.at = index;
    if (position <= this.lastPosition) before.report({ position, stream: streamName, rule: 'record', detail: `position ${position} does not follow ${this.lastPosition}` });
    else this.lastPosition = position;
    if (this.chain.checkRow(position, streamName, revision, prevHash, hash, body, before.report).audited) {
      this.tree.appendDigest(eventLeafDigest(hash));
      this.positions.push(position);
    }
    if (streamName === AUDIT_CHECKPOINT_STREAM) this.checkpoint(index, decoded ?? decodeRow(position, streamName, revision, prevHash, hash, body));
    else if (this.witnesses !== null && streamName === AUDIT_COSIGNATURE_STREAM) this.cosignature(index, decoded ?? decodeRow(position, streamName, revision, prevHash, hash, body));
  }

  /** End of the replay of `count` events: compares the store's recorded stream heads, when it has them. */
  finish(count: number, streamHeads: readonly RecordedStreamHead[] | null): void {
    this.after.at = count;
    this.witnesses?.finish(this.after.report);
    if (streamHeads !== null) checkStreamHeads(streamHeads, this.chain.heads, this.after.report);
  }

  private checkpoint(index: number, record: AuditRecord): void {
    const event = record.event;
    // Undecodable or out-of-schema checkpoints are the event half's findings; only sound ones are checked here.
    if (event === null || event.type !== AUDIT_CHECKPOINT_EVENT_TYPE || schemaProblem(event) !== null) return;
    this.after.at = index;
    this.checkpoints.check(event, this.tree, this.positions, this.after.report);
    this.witnesses?.checkpoint(event.position, event.data as AuditCheckpointSigned['data']);
  }

  private cosignature(index: number, record: AuditRecord): void {
    const event = record.event;
    if (event === null || event.type !== AUDIT_COSIGNATURE_EVENT_TYPE || schemaProblem(event) !== null || this.witnesses === null) return;
    this.after.at = index;
    this.witnesses.cosignature(event.position, event.streamName, event.data as AuditCheckpointCosigned['data'], this.after.report);
  }
}
