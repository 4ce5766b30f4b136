import { CHAIN_FAULT_HASH, CHAIN_FAULT_PREV_HASH, CHAIN_FAULT_REVISION, CHAIN_LINK_OK, chainLinkFaults, nextRevision } from '@keyledger/adapters';
import { isAuditedStream } from '../checkpoint/checkpoint-event';
import type { AuditRecord } from './audit-record';
import type { Report } from './findings';

/** Last event seen of a stream: what the next one must link to. */
export interface ChainHead {
  revision: number;
  hash: string;
  position: number;
  /** Whether the stream's events are leaves of the Merkle tree (worked out once per stream). */
  readonly audited: boolean;
}

/**
 * Checks each stream's hash chain in global order with the store's own rule (`chainLinkFaults`:
 * revisions 0, 1, 2, ... without gaps or repeats, `prevHash` equal to the previous event's hash,
 * GENESIS_HASH first, and `hash` equal to SHA-256(prevHash ‖ body)), reporting each fault as a
 * finding. After a break the chain resumes from the record as stored, so one tampered event gives
 * one finding, not one per later event.
 */
export class ChainCheck {
  readonly heads = new Map<string, ChainHead>();

  check(r: AuditRecord, report: Report): void {
    this.checkRow(r.position, r.streamName, r.revision, r.prevHash, r.hash, r.body, report);
  }

  /** `check` from the row's columns (the replay's hot path: no record object, no closure); returns the stream's head. */
  checkRow(position: number, streamName: string, revision: number, prevHash: string, hash: string, body: string, report: Report): ChainHead {
    const head = this.heads.get(streamName);
    const faults = chainLinkFaults(head, revision, prevHash, hash, body);
    if (faults !== CHAIN_LINK_OK) reportFaults(faults, position, streamName, revision, nextRevision(head), report);
    if (!head) {
      const first: ChainHead = { revision, hash, position, audited: isAuditedStream(streamName) };
      this.heads.set(streamName, first);
      return first;
    }
    if (revision >= head.revision) {
      head.revision = revision;
      head.hash = hash;
      head.position = position;
    }
    return head;
  }
}

/** One `chain` finding per fault: the link (revision or prevHash) first, then the hash. `expected` is the revision the stream's head called for. */
function reportFaults(faults: number, position: number, stream: string, revision: number, expected: number, report: Report): void {
  if (faults & CHAIN_FAULT_REVISION) {
    const detail = revision > expected ? `revision ${revision} follows ${expected - 1}: ${revision - expected} event(s) missing` : `revision ${revision} after revision ${expected - 1}: out of order or repeated`;
    report({ position, stream, rule: 'chain', detail });
  } else if (faults & CHAIN_FAULT_PREV_HASH) {
    report({ position, stream, rule: 'chain', detail: `prevHash does not link to revision ${expected - 1}` });
  }
  if (faults & CHAIN_FAULT_HASH) report({ position, stream, rule: 'chain', detail: 'stored hash differs from SHA-256(prevHash ‖ event): the event was altered' });
}

/** A stream head as the store records it separately from its events (the SQLite `streams` table). */
export interface RecordedStreamHead {
  readonly streamName: string;
  readonly revision: number;
  readonly hash: string;
  readonly deleted: boolean;
}

/** Compares recorded stream heads with the chains just walked: catches a removed tail or a stream removed whole. */
export function checkStreamHeads(recorded: readonly RecordedStreamHead[], walked: ReadonlyMap<string, ChainHead>, report: Report): void {
  for (const h of recorded) {
    const seen = walked.get(h.streamName);
    if (h.deleted) {
      if (seen) report({ position: seen.position, stream: h.streamName, rule: 'stream-head', detail: 'stream is marked deleted but still has events' });
      continue;
    }
    if (!seen) {
      report({ position: null, stream: h.streamName, rule: 'stream-head', detail: `stream head says revision ${h.revision} but the stream has no events` });
    } else if (seen.revision !== h.revision || seen.hash !== h.hash) {
      report({ position: seen.position, stream: h.streamName, rule: 'stream-head', detail: `stream head says revision ${h.revision}, last event is revision ${seen.revision}` });
    }
  }
}
