import type { AuditCheckpointCosigned, AuditCheckpointSigned } from '../checkpoint/checkpoint-event';
import { AUDIT_CHECKPOINT_STREAM } from '../checkpoint/checkpoint-event';
import { checkpointText } from '../note/signed-note';
import { findCosignature, type WitnessKey } from '../witness/cosignature';
import type { Report } from './findings';

/** The witnesses an auditor trusts and how many of them must have cosigned the newest checkpoint. */
export interface WitnessPolicy {
  readonly witnesses: readonly WitnessKey[];
  /** Distinct trusted witnesses whose cosignature the newest checkpoint needs (1..witnesses). */
  readonly quorum: number;
}

interface SeenCheckpoint {
  readonly position: number;
  readonly rootHash: string;
  readonly text: string;
  readonly cosigners: Set<string>;
}

/**
 * `audit verify --witness`: every stored cosignature by a trusted witness must verify over a
 * checkpoint the replay saw (same size and root), and the newest checkpoint must carry valid
 * cosignatures from at least `quorum` distinct trusted witnesses. Cosignatures by other keys are
 * ignored. Holds one entry per checkpoint (a few per hour), never per event.
 */
export class WitnessCheck {
  private readonly trusted: ReadonlyMap<string, WitnessKey>;
  private readonly checkpoints = new Map<number, SeenCheckpoint>();
  private newest: number | null = null;

  constructor(private readonly policy: WitnessPolicy) {
    this.trusted = new Map(policy.witnesses.map((w) => [w.name, w]));
  }

  checkpoint(position: number, data: AuditCheckpointSigned['data']): void {
    const text = checkpointText({ origin: data.origin, treeSize: data.treeSize, rootHash: Buffer.from(data.rootHash, 'base64') });
    this.checkpoints.set(data.treeSize, { position, rootHash: data.rootHash, text, cosigners: new Set() });
    if (this.newest === null || data.treeSize >= this.newest) this.newest = data.treeSize;
  }

  cosignature(position: number, stream: string, data: AuditCheckpointCosigned['data'], report: Report): void {
    const witness = this.trusted.get(data.witness);
    if (witness === undefined) return;
    const at = (detail: string) => report({ position, stream, rule: 'checkpoint-witness', detail });
    const seen = this.checkpoints.get(data.treeSize);
    if (seen === undefined || seen.rootHash !== data.rootHash) return at(`cosignature by ${data.witness} of size ${data.treeSize} matches no checkpoint before it`);
    if (findCosignature(data.cosignature, witness, seen.text) === null) return at(`cosignature by ${data.witness} of size ${data.treeSize} does not verify with the trusted witness key`);
    seen.cosigners.add(data.witness);
  }

  finish(report: Report): void {
    const newest = this.newest === null ? undefined : this.checkpoints.get(this.newest);
    if (newest === undefined) {
      report({ position: null, stream: AUDIT_CHECKPOINT_STREAM, rule: 'checkpoint-witness', detail: 'no checkpoint, so no cosignature' });
      return;
    }
    if (newest.cosigners.size < this.policy.quorum) {
      report({
        position: newest.position,
        stream: AUDIT_CHECKPOINT_STREAM,
        rule: 'checkpoint-witness',
        detail: `the newest checkpoint (size ${this.newest}) has valid cosignatures from ${newest.cosigners.size} trusted witnesses, ${this.policy.quorum} required`,
      });
    }
  }
}
