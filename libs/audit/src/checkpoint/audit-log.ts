import type { EventStore, RecordedEvent } from '@keyledger/kms-domain';
import { AuditedEventNotFoundError, ProofRangeError } from '../audit-errors';
import { eventLeafData, leafDigest } from '../merkle/merkle-hash';
import { MerkleTree } from '../merkle/merkle-tree';
import { LeafEntries } from '../tlog/leaf-entries';
import type { TileRef } from '../tlog/tile-path';
import { tileBytes } from '../tlog/tiles';
import {
  AUDIT_CHECKPOINT_EVENT_TYPE,
  AUDIT_CHECKPOINT_STREAM,
  AUDIT_COSIGNATURE_EVENT_TYPE,
  AUDIT_COSIGNATURE_STREAM,
  AuditCheckpointCosigned,
  AuditCheckpointSigned,
  isAuditedStream,
} from './checkpoint-event';

/** The newest checkpoint event as stored (its data, and where it sits). */
export interface StoredCheckpoint {
  readonly position: number;
  readonly revision: number;
  readonly data: AuditCheckpointSigned['data'];
}

/** An inclusion proof as served: base64 hashes, for `GET /v1/audit/proofs/inclusion`. */
export interface InclusionProofView {
  readonly eventId: string;
  readonly position: number;
  readonly leafIndex: number;
  readonly treeSize: number;
  readonly leafHash: string;
  readonly rootHash: string;
  readonly auditPath: readonly string[];
}

/** A consistency proof as served: base64 hashes, for `GET /v1/audit/proofs/consistency`. */
export interface ConsistencyProofView {
  readonly from: number;
  readonly to: number;
  readonly fromRoot: string;
  readonly toRoot: string;
  readonly proof: readonly string[];
}

/** An event as `GET /v1/audit/events` serves it: its leaf index in the tree, or null for a checkpoint (not a leaf). */
export type AuditedEventView = RecordedEvent & { readonly leafIndex: number | null };

/**
 * One page of `GET /v1/audit/events`: every event of every stream except the key-material ones,
 * in global order (the tree's leaves and the checkpoints), so each stream it holds is complete and
 * its hash chain can be checked. `nextPosition` is null at the head.
 */
export interface AuditedEventsPage {
  readonly events: readonly AuditedEventView[];
  readonly nextPosition: number | null;
}

/**
 * The Merkle tree of audited events, kept in memory and caught up from the store on demand: what
 * the checkpoint job signs and what the proof endpoints answer from. One instance per process;
 * `catchUp` calls are serialised.
 */
export class AuditLog {
  private readonly tree = new MerkleTree();
  private readonly entries = new LeafEntries();
  private readonly positions: number[] = [];
  private readonly leafByEventId = new Map<string, number>();
  private latest: StoredCheckpoint | null = null;
  /** The newest cosignature of each witness (by name): O(witnesses), whatever the log's length. */
  private readonly cosignatures = new Map<string, AuditCheckpointCosigned['data']>();
  private checkpointRevision: number | null = null;
  private after = 0;
  private pending: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: EventStore,
    private readonly pageSize = 1000,
  ) {}

  /** Number of audited events folded in so far. */
  get size(): number {
    return this.tree.size;
  }

  /** Global position of the last audited event (0 when none). */
  get lastPosition(): number {
    return this.positions.length === 0 ? 0 : this.positions[this.positions.length - 1];
  }

  /** Reads every event committed since the last call and adds the audited ones to the tree. */
  catchUp(): Promise<void> {
    const run = this.pending.then(() => this.readNewEvents());
    this.pending = run.catch(() => undefined);
    return run;
  }

  /** Root of the first `size` audited events (default all). */
  root(size: number = this.size): Buffer {
    return this.tree.root(size);
  }

  /** The newest checkpoint seen, or null before the first one. */
  latestCheckpoint(): StoredCheckpoint | null {
    return this.latest;
  }

  /**
   * The newest checkpoint's note with the cosignature lines stored for it (C2SP: the log's
   * signatures, then the witnesses'), or null before the first checkpoint.
   */
  cosignedNote(): string | null {
    if (this.latest === null) return null;
    const { treeSize, rootHash, note } = this.latest.data;
    const lines = [...this.cosignatures.values()].filter((c) => c.treeSize === treeSize && c.rootHash === rootHash).map((c) => `${c.cosignature}\n`);
    return `${note}${lines.join('')}`;
  }

  /** The tree size of the newest checkpoint `witness` cosigned (0 when none is stored): where its next consistency proof starts. */
  witnessSize(witness: string): number {
    return this.cosignatures.get(witness)?.treeSize ?? 0;
  }

  /** Whether `witness` cosignature of the checkpoint of `treeSize` with this root is stored. */
  hasCosignature(witness: string, treeSize: number, rootHash: string): boolean {
    const c = this.cosignatures.get(witness);
    return c !== undefined && c.treeSize === treeSize && c.rootHash === rootHash;
  }

  /** RFC 6962 consistency proof between two sizes the tree holds, as hashes. */
  consistencyHashes(from: number, to: number): Buffer[] {
    return this.tree.consistencyProof(from, to);
  }

  /** Last revision of the checkpoint stream seen (null: no stream yet), for optimistic concurrency. */
  checkpointStreamRevision(): number | null {
    return this.checkpointRevision;
  }

  /** Inclusion proof of an audited event in the tree of `treeSize` (default: current size). */
  async inclusionProof(eventId: string, treeSize?: number): Promise<InclusionProofView> {
    await this.catchUp();
    const leafIndex = this.leafByEventId.get(eventId);
    if (leafIndex === undefined) throw new AuditedEventNotFoundError(eventId);
    const size = treeSize ?? this.size;
    if (size > this.size) throw new ProofRangeError(`tree size ${size} is beyond the log's ${this.size}`);
    return {
      eventId,
      position: this.positions[leafIndex],
      leafIndex,
      treeSize: size,
      leafHash: this.tree.leaf(leafIndex).toString('base64'),
      rootHash: this.tree.root(size).toString('base64'),
      auditPath: this.tree.inclusionProof(leafIndex, size).map((h) => h.toString('base64')),
    };
  }

  /** Consistency proof between two tree sizes (`to` defaults to the current size). */
  async consistencyProof(from: number, to?: number): Promise<ConsistencyProofView> {
    await this.catchUp();
    const end = to ?? this.size;
    if (end > this.size) throw new ProofRangeError(`tree size ${end} is beyond the log's ${this.size}`);
    return {
      from,
      to: end,
      fromRoot: this.tree.root(from).toString('base64'),
      toRoot: this.tree.root(end).toString('base64'),
      proof: this.tree.consistencyProof(from, end).map((h) => h.toString('base64')),
    };
  }

  /**
   * A C2SP tlog tile or entry bundle (see `tileBytes`), or null when the log does not hold it.
   * Tiles are immutable, so one the tree already holds is answered without reading the store.
   */
  async tile(ref: TileRef): Promise<Buffer | null> {
    const held = tileBytes(ref, this.tree, this.entries);
    if (held !== null) return held;
    await this.catchUp();
    return tileBytes(ref, this.tree, this.entries);
  }

  /**
   * Events at or after `fromPosition`, at most `limit`, up to the head this call caught up to: the
   * leaves with their index, and the checkpoint and cosignature streams' events with `leafIndex` null. The
   * key-material streams are left out whole (they are deletable and never exported).
   */
  async auditedEvents(fromPosition: number, limit: number): Promise<AuditedEventsPage> {
    if (!Number.isSafeInteger(fromPosition) || fromPosition < 1) throw new ProofRangeError('fromPosition must be a positive integer');
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > 1000) throw new ProofRangeError('limit must be 1..1000');
    await this.catchUp();
    const head = this.after;
    const events: AuditedEventView[] = [];
    let after = fromPosition - 1;
    while (events.length < limit && after < head) {
      const page = await this.store.readAll({ after, maxCount: limit });
      if (page.length === 0) break;
      for (const e of page) {
        if (e.position > head || events.length === limit) break;
        const leafIndex = this.leafIndexAt(e.position);
        if (leafIndex !== null || e.streamName === AUDIT_CHECKPOINT_STREAM || e.streamName === AUDIT_COSIGNATURE_STREAM) events.push({ ...e, leafIndex });
      }
      after = page[page.length - 1].position;
    }
    const last = events.length === limit ? events[events.length - 1].position : null;
    return { events, nextPosition: last !== null && last < head ? last + 1 : null };
  }

  private async readNewEvents(): Promise<void> {
    for (;;) {
      const page = await this.store.readAll({ after: this.after, maxCount: this.pageSize });
      for (const event of page) this.add(event);
      if (page.length < this.pageSize) return;
    }
  }

  private add(event: RecordedEvent): void {
    this.after = event.position;
    if (event.streamName === AUDIT_CHECKPOINT_STREAM) {
      this.checkpointRevision = event.revision;
      if (event.type === AUDIT_CHECKPOINT_EVENT_TYPE) {
        this.latest = { position: event.position, revision: event.revision, data: event.data as AuditCheckpointSigned['data'] };
      }
      return;
    }
    if (event.streamName === AUDIT_COSIGNATURE_STREAM) {
      if (event.type !== AUDIT_COSIGNATURE_EVENT_TYPE) return;
      const data = event.data as AuditCheckpointCosigned['data'];
      const known = this.cosignatures.get(data.witness);
      if (known === undefined || known.treeSize <= data.treeSize) this.cosignatures.set(data.witness, data);
      return;
    }
    if (!isAuditedStream(event.streamName)) return;
    this.leafByEventId.set(event.metadata.eventId, this.tree.size);
    this.positions.push(event.position);
    const entry = eventLeafData(event.metadata.hash);
    this.entries.push(entry);
    this.tree.appendDigest(leafDigest(entry));
  }

  private leafIndexAt(position: number): number | null {
    let lo = 0;
    let hi = this.positions.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const p = this.positions[mid];
      if (p === position) return mid;
      if (p < position) lo = mid + 1;
      else hi = mid - 1;
    }
    return null;
  }
}
