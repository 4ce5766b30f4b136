import type { AuditRecord } from '../verify/audit-record';
import type { RecordedStreamHead } from '../verify/chain-check';

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
  readonly streamHeads?: () => readonly RecordedStreamHead[];
  close(): Promise<void>;
}
