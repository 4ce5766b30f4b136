import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { StoreUnavailableError } from '@keyledger/kms-domain';

/** SQLite durability level: FULL (default) syncs the WAL on every commit; EXTRA also syncs directory changes. */
export type SqliteSynchronous = 'FULL' | 'EXTRA' | 'NORMAL';

const SYNCHRONOUS_LEVELS: readonly SqliteSynchronous[] = ['FULL', 'EXTRA', 'NORMAL'];

/** Where the embedded store lives and how it commits. */
export interface SqliteStoreOptions {
  /** Directory holding the database file (KEYLEDGER_DATA_DIR); created when missing. */
  readonly dataDir: string;
  readonly fileName?: string;
  readonly synchronous?: SqliteSynchronous;
  /** How long a writer waits for another process's write lock before STORE_UNAVAILABLE (transient). */
  readonly busyTimeoutMs?: number;
  /** How often subscriptions look for commits made by other processes. */
  readonly pollIntervalMs?: number;
  /** Most appends committed together in one transaction. */
  readonly maxBatch?: number;
}

/** Default database file name under the data directory. */
export const DEFAULT_EVENTS_FILE = 'keyledger-events.sqlite';

// position: AUTOINCREMENT so a deleted tail never hands its positions out again (checkpoints stay valid).
// body: the canonical JSON the chain hashes; stream and revision are repeated inside it.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  position  INTEGER PRIMARY KEY AUTOINCREMENT,
  stream    TEXT    NOT NULL,
  revision  INTEGER NOT NULL,
  prev_hash TEXT    NOT NULL,
  hash      TEXT    NOT NULL,
  body      TEXT    NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS events_stream_revision ON events (stream, revision);
CREATE TABLE IF NOT EXISTS streams (
  stream   TEXT    PRIMARY KEY,
  revision INTEGER NOT NULL,
  hash     TEXT    NOT NULL,
  deleted  INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
`;

/** Opens (creating if needed) the events database in WAL mode with the requested durability. */
export function openEventsDatabase(options: SqliteStoreOptions): Database.Database {
  const synchronous = options.synchronous ?? 'FULL';
  if (!SYNCHRONOUS_LEVELS.includes(synchronous)) throw new StoreUnavailableError(`unknown synchronous level ${String(synchronous)}`, false);
  mkdirSync(options.dataDir, { recursive: true });
  const file = join(options.dataDir, options.fileName ?? DEFAULT_EVENTS_FILE);
  const db = new Database(file, { timeout: options.busyTimeoutMs ?? 5000 });
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${synchronous}`);
    db.exec(SCHEMA);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}
