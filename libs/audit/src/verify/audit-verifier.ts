import type { NoteVerifierKey } from '../note/note-keys';
import type { AuditRecord } from './audit-record';
import type { RecordedStreamHead } from './chain-check';
import { ChainSide } from './chain-side';
import type { CheckedCheckpoint } from './checkpoint-check';
import { EventSide } from './event-side';
import type { Finding } from './findings';
import { replayReport } from './replay-report';
import type { WitnessPolicy } from './witness-check';

/** What a replay found and covered. `clean` is true when there are no findings. */
export interface VerifyReport {
  readonly clean: boolean;
  readonly eventsChecked: number;
  readonly streamsChecked: number;
  readonly auditedEvents: number;
  readonly rootHash: string;
  readonly checkpoints: readonly CheckedCheckpoint[];
  readonly findings: readonly Finding[];
}

/** Inputs of a replay: the pinned audit key, optional recorded stream heads, a progress callback. */
export interface VerifyOptions {
  readonly auditKey: NoteVerifierKey;
  /** Trusted witnesses and the cosignatures the newest checkpoint needs (`audit verify --witness`). */
  readonly witnesses?: WitnessPolicy;
  readonly streamHeads?: () => readonly RecordedStreamHead[];
  readonly onProgress?: (eventsChecked: number) => void;
  /** Progress is reported every this many events (default 1000). */
  readonly progressEvery?: number;
}

/**
 * The auditor's replay: one pass over every stored event in global order, checking hash chains,
 * event schemas, checkpoints (signature, root, consistency), break-glass and key lifecycle rules.
 * It trusts nothing but the pinned audit key, and collects every finding rather than stopping.
 * This form runs on the calling thread; `verifyAuditSource` can split the work over two threads.
 */
export async function verifyAuditRecords(records: AsyncIterable<AuditRecord> | Iterable<AuditRecord>, options: VerifyOptions): Promise<VerifyReport> {
  const chain = new ChainSide(options.auditKey, options.witnesses);
  const events = new EventSide();
  const every = options.progressEvery ?? 1000;
  let count = 0;
  for await (const r of records) {
    chain.row(count, r.position, r.streamName, r.revision, r.prevHash, r.hash, r.body, r);
    events.check(r, count);
    count += 1;
    if (options.onProgress && count % every === 0) options.onProgress(count);
  }
  return replayReport(chain, events.finish(count), count, options);
}
