/** One stored row as the SQLite source reads it: position, stream, revision, prevHash, hash, body. */
export type RowTuple = readonly [position: number, stream: string, revision: number, prevHash: string, hash: string, body: string];

/**
 * A page of stored rows in global order, undecoded: what the SQLite source reads and the replay
 * checks (on the calling thread, or split with a worker thread).
 */
export type RowBatch = readonly RowTuple[];
