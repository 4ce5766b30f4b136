import type { Finding } from './findings';

/**
 * Rows for the worker: the columns the event half reads. The chain hashes are not sent: only the
 * chain half (main thread) reads them, and leaving them out saves copying them between threads.
 * The bodies travel as one string with the end offset of each (`bodyEnds[i]`): copying one long
 * string between threads costs a fraction of copying a thousand short ones.
 */
export interface WorkerRows {
  readonly positions: Float64Array<ArrayBuffer>;
  readonly streams: readonly string[];
  readonly revisions: Float64Array<ArrayBuffer>;
  readonly bodies: string;
  readonly bodyEnds: Uint32Array<ArrayBuffer>;
}

/** Main thread → replay worker: rows to check (replay index of the first), or the end of a replay at `count` events. */
export type WorkerRequest = { readonly kind: 'batch'; readonly start: number; readonly rows: WorkerRows } | { readonly kind: 'finish'; readonly count: number };

/** Replay worker → main thread: a batch was checked, or the event half's findings at the end. */
export type WorkerReply = { readonly kind: 'ack' } | { readonly kind: 'done'; readonly indexes: number[]; readonly findings: Finding[] };
