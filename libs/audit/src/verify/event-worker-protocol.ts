import type { Finding } from './findings';
import type { SharedRowBuffers } from './shared-rows';

/**
 * Main thread → replay worker: `count` rows (replay index of the first: `start`) written into shared
 * slot `slot`, with the slot's buffers when they are new to the worker; or the end of a replay at
 * `count` events. The chain hashes are not sent: only the chain half (main thread) reads them.
 */
export type WorkerRequest =
  | { readonly kind: 'batch'; readonly start: number; readonly slot: number; readonly count: number; readonly buffers: SharedRowBuffers | null }
  | { readonly kind: 'finish'; readonly count: number };

/** Replay worker → main thread: a batch was checked (its slot may be written again), or the event half's findings at the end. */
export type WorkerReply = { readonly kind: 'ack' } | { readonly kind: 'done'; readonly indexes: number[]; readonly findings: Finding[] };
