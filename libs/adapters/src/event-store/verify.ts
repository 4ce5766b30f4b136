import { EventStore, RecordedEvent, isEventStoreError } from '@keyledger/kms-domain';
import { CHAIN_FAULT_PREV_HASH, CHAIN_FAULT_REVISION, CHAIN_LINK_OK, StreamHead, chainLinkFaults } from './chain-rule';
import { canonicalBody } from './envelope';

/** The fields the chain check needs from one stored event; `body` is its canonical form. */
export interface ChainRecord {
  readonly streamName: string;
  readonly revision: number;
  readonly position: number;
  readonly prevHash: string;
  readonly hash: string;
  readonly body: string;
}

/** Why a link is broken: recomputed hash differs, link to the previous event differs, a revision is missing, or the record is unreadable. */
export type ChainBreakReason = 'hash-mismatch' | 'prev-hash-mismatch' | 'revision-gap' | 'corrupt';

/** The first broken link found, with its place in the store. */
export interface ChainBreak {
  readonly streamName: string;
  readonly revision: number;
  readonly position: number;
  readonly reason: ChainBreakReason;
}

/** Outcome of a verification walk; it stops at the first break. */
export type VerifyResult =
  | { readonly ok: true; readonly eventsChecked: number; readonly streamsChecked: number }
  | { readonly ok: false; readonly eventsChecked: number; readonly streamsChecked: number; readonly firstBreak: ChainBreak };

/**
 * Walks chain records in global (or stream) order and checks every link: revision 0 starts from
 * GENESIS_HASH, each later revision follows the one before without gaps, `prevHash` equals the
 * previous event's `hash`, and `hash` equals SHA-256(prevHash ‖ body).
 */
export async function verifyChainRecords(records: AsyncIterable<ChainRecord> | Iterable<ChainRecord>): Promise<VerifyResult> {
  const walk = new ChainWalk();
  try {
    // A synchronous source (the SQLite store) is walked without a promise per record.
    if (Symbol.iterator in records) {
      for (const r of records) if (!walk.accept(r)) break;
    } else {
      for await (const r of records) if (!walk.accept(r)) break;
    }
  } catch (error) {
    if (isEventStoreError(error) && error.code === 'STORE_CORRUPT') {
      return broken(walk.checked, walk.heads.size, { streamName: '', revision: -1, position: error.position, reason: 'corrupt' });
    }
    throw error;
  }
  return walk.result();
}

/** The state of one verification walk: each stream's head, the count, the first break. */
class ChainWalk {
  readonly heads = new Map<string, StreamHead>();
  checked = 0;
  private firstBreak: ChainBreak | null = null;

  /** Checks one record; false once a link is broken (the walk stops there). */
  accept(r: ChainRecord): boolean {
    const head = this.heads.get(r.streamName);
    const reason = linkProblem(r, head);
    if (reason) {
      this.firstBreak = { streamName: r.streamName, revision: r.revision, position: r.position, reason };
      return false;
    }
    this.heads.set(r.streamName, { revision: r.revision, hash: r.hash });
    this.checked++;
    return true;
  }

  result(): VerifyResult {
    if (this.firstBreak) return broken(this.checked, this.heads.size, this.firstBreak);
    return { ok: true, eventsChecked: this.checked, streamsChecked: this.heads.size };
  }
}

/** The store's reason for a broken link: the first of revision, link and hash that fails the chain rule. */
function linkProblem(r: ChainRecord, head: StreamHead | undefined): ChainBreakReason | null {
  const faults = chainLinkFaults(head, r.revision, r.prevHash, r.hash, r.body);
  if (faults === CHAIN_LINK_OK) return null;
  if (faults & CHAIN_FAULT_REVISION) return 'revision-gap';
  if (faults & CHAIN_FAULT_PREV_HASH) return 'prev-hash-mismatch';
  return 'hash-mismatch';
}

function broken(checked: number, streams: number, firstBreak: ChainBreak): VerifyResult {
  return { ok: false, eventsChecked: checked, streamsChecked: streams, firstBreak };
}

/** Rebuilds the chain record of an event read through the port (for adapters that do not store the body). */
export function chainRecordOf(event: RecordedEvent): ChainRecord {
  return {
    streamName: event.streamName,
    revision: event.revision,
    position: event.position,
    prevHash: event.metadata.prevHash,
    hash: event.metadata.hash,
    body: canonicalBody(event.streamName, event.revision, event),
  };
}

/**
 * Verifies the hash chains of one stream (`streamName`) or of the whole store through the port,
 * so it works with every adapter. Reports the first broken link with its global position.
 */
export function verifyEventStore(store: EventStore, options: { streamName?: string; pageSize?: number } = {}): Promise<VerifyResult> {
  const pageSize = options.pageSize ?? 1000;
  const pages = options.streamName === undefined ? allPages(store, pageSize) : streamPages(store, options.streamName, pageSize);
  return verifyChainRecords(mapRecords(pages));
}

async function* mapRecords(pages: AsyncIterable<readonly RecordedEvent[]>): AsyncIterable<ChainRecord> {
  for await (const page of pages) for (const event of page) yield chainRecordOf(event);
}

async function* allPages(store: EventStore, pageSize: number): AsyncIterable<readonly RecordedEvent[]> {
  let after = 0;
  for (;;) {
    const page = await store.readAll({ after, maxCount: pageSize });
    if (page.length === 0) return;
    yield page;
    after = page[page.length - 1].position;
  }
}

async function* streamPages(store: EventStore, streamName: string, pageSize: number): AsyncIterable<readonly RecordedEvent[]> {
  let fromRevision = 0;
  for (;;) {
    const page = await store.readStream(streamName, { fromRevision, maxCount: pageSize });
    if (page.length === 0) return;
    yield page;
    fromRevision = page[page.length - 1].revision + 1;
  }
}
