import type { Finding } from './findings';

/**
 * Rows for the worker: the columns the event half reads. The chain hashes are not sent: only the
 * chain half (main thread) reads them, and leaving them out saves copying them between threads.
 */
export interface WorkerRows {
  readonly positions: readonly number[];
  readonly streams: readonly string[];
  readonly revisions: readonly number[];
  readonly bodies: readonly string[];
}

/** Main thread → replay worker: rows to check (replay index of the first), or the end of a replay at `count` events. */
export type WorkerRequest = { readonly kind: 'batch'; readonly start: number; readonly rows: WorkerRows } | { readonly kind: 'finish'; readonly count: number };

/** Replay worker → main thread: a batch was checked, or the event half's findings at the end. */
export type WorkerReply = { readonly kind: 'ack' } | { readonly kind: 'done'; readonly indexes: number[]; readonly findings: Finding[] };
