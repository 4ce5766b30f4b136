import type { AuditRecord } from '../verify/audit-record';
import type { RecordedStreamHead } from '../verify/chain-check';
import type { RowBatch } from '../verify/row-batch';

/**
 * Where a replay or an export reads events from: every stored event in global order, optionally
 * the store's own record of stream heads, and the event count when known (for progress).
 */
export interface AuditSource {
  /** Human-readable description (no credentials). */
  readonly description: string;
  /** Number of events, when the source knows it up front. */
  readonly total: number | null;
  records(): AsyncIterable<AuditRecord> | Iterable<AuditRecord>;
  /** The stored rows undecoded, page by page, when the source reads raw rows (the replay's fast path). */
  rowBatches?(): Iterable<RowBatch>;
  readonly streamHeads?: () => readonly RecordedStreamHead[];
  close(): Promise<void>;
}
