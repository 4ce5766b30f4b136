import type { AuditSource } from '../source/audit-source';
import { VerifyOptions, VerifyReport, verifyAuditRecords } from './audit-verifier';
import { ChainSide } from './chain-side';
import { decodeRow } from './decode-row';
import { EventSide } from './event-side';
import { replayReport } from './replay-report';
import type { RowBatch } from './row-batch';
import { releaseReplayWorker, takeReplayWorker } from './worker-pool';

/** Replay options for a source: `threads` 2 (default) checks decoded events on a worker thread. */
export interface SourceVerifyOptions extends Omit<VerifyOptions, 'streamHeads'> {
  /**
   * 1: everything on the calling thread. 2: the chain half (hashes, tree, checkpoints) here and the
   * event half (decoding, schemas, rules) on a worker, over the same rows. Same findings, same order.
   * Only sources that read raw rows (SQLite) use a worker; the others always replay in-thread.
   */
  readonly threads?: 1 | 2;
}

/** `audit verify`: replays a source (with its recorded stream heads, when it has them). */
export async function verifyAuditSource(source: AuditSource, options: SourceVerifyOptions): Promise<VerifyReport> {
  const full: VerifyOptions = { ...options, streamHeads: source.streamHeads };
  const batches = source.rowBatches?.bind(source);
  if (!batches) return verifyAuditRecords(source.records(), full);
  return (options.threads ?? 2) === 2 ? verifyWithWorker(batches(), full) : verifyInThread(batches(), full);
}

function verifyInThread(batches: Iterable<RowBatch>, options: VerifyOptions): VerifyReport {
  const chain = new ChainSide(options.auditKey, options.witnesses);
  const events = new EventSide();
  const progress = progressReporter(options);
  let count = 0;
  for (const rows of batches) {
    for (const r of rows) {
      const record = decodeRow(r[0], r[1], r[2], r[3], r[4], r[5]);
      chain.row(count, r[0], r[1], r[2], r[3], r[4], r[5], record);
      events.check(record, count);
      count += 1;
    }
    progress(count);
  }
  return replayReport(chain, events.finish(count), count, options);
}

async function verifyWithWorker(batches: Iterable<RowBatch>, options: VerifyOptions): Promise<VerifyReport> {
  const worker = takeReplayWorker();
  let ok = false;
  try {
    const chain = new ChainSide(options.auditKey, options.witnesses);
    const progress = progressReporter(options);
    let count = 0;
    for (const rows of batches) {
      // Sent first, so the worker checks this page while this thread hashes it.
      await worker.send(rows, count);
      for (const r of rows) {
        chain.row(count, r[0], r[1], r[2], r[3], r[4], r[5], null);
        count += 1;
      }
      progress(count);
    }
    const found = await worker.finish(count);
    ok = true;
    return replayReport(chain, found, count, options);
  } finally {
    await releaseReplayWorker(worker, ok);
  }
}

/** Calls onProgress whenever a multiple of progressEvery is passed (batches are larger than one event). */
function progressReporter(options: VerifyOptions): (count: number) => void {
  const every = options.progressEvery ?? 1000;
  let next = every;
  return (count) => {
    if (!options.onProgress || count < next) return;
    options.onProgress(count);
    next = (Math.floor(count / every) + 1) * every;
  };
}
