import type Database from 'better-sqlite3';
import { READ_MODEL_SCHEMA_VERSION } from '@keyledger/kms-domain';

/** Default file of the read models under the data directory (beside the events file). */
export const DEFAULT_READ_MODELS_FILE = 'keyledger-views.sqlite';

const TABLES = ['rm_meta', 'rm_counters', 'rm_keys', 'rm_signers', 'rm_sessions', 'rm_breakers', 'rm_freeze'] as const;

/**
 * Tables and the indexes their queries use. Times are ms since the epoch so that ranges compare
 * as numbers; every row keeps the whole view entry as JSON in `body`, the other columns exist for
 * the indexes.
 */
const DDL = `
CREATE TABLE IF NOT EXISTS rm_meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS rm_counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS rm_keys (
  id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, key_id TEXT NOT NULL, status TEXT NOT NULL,
  purpose TEXT NOT NULL, mode TEXT NOT NULL, version_count INTEGER NOT NULL,
  due_at INTEGER NOT NULL, last_rotated_at INTEGER NOT NULL, delete_after INTEGER, trim_due INTEGER NOT NULL, body TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS rm_keys_tenant ON rm_keys (tenant_id, key_id);
CREATE INDEX IF NOT EXISTS rm_keys_key ON rm_keys (key_id);
CREATE INDEX IF NOT EXISTS rm_keys_due ON rm_keys (due_at, tenant_id, key_id) WHERE status = 'Enabled';
CREATE INDEX IF NOT EXISTS rm_keys_rotated ON rm_keys (last_rotated_at, tenant_id, key_id) WHERE status = 'Enabled';
CREATE INDEX IF NOT EXISTS rm_keys_deletion ON rm_keys (delete_after, tenant_id, key_id) WHERE status = 'PendingDeletion';
CREATE INDEX IF NOT EXISTS rm_keys_trim ON rm_keys (tenant_id, key_id) WHERE trim_due = 1;
CREATE INDEX IF NOT EXISTS rm_keys_status ON rm_keys (status, tenant_id, key_id);
CREATE INDEX IF NOT EXISTS rm_keys_purpose ON rm_keys (purpose, tenant_id, key_id);
CREATE TABLE IF NOT EXISTS rm_signers (
  id TEXT PRIMARY KEY, owner_kind TEXT NOT NULL, tenant_id TEXT, key_id TEXT, status TEXT NOT NULL, body TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS rm_signers_key ON rm_signers (tenant_id, key_id, status) WHERE owner_kind = 'key-version';
CREATE INDEX IF NOT EXISTS rm_signers_kind ON rm_signers (owner_kind, status);
CREATE TABLE IF NOT EXISTS rm_sessions (
  id TEXT PRIMARY KEY, status TEXT NOT NULL, expires_at INTEGER, awaiting_destruction INTEGER NOT NULL, body TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS rm_sessions_status ON rm_sessions (status, id);
CREATE INDEX IF NOT EXISTS rm_sessions_expiry ON rm_sessions (status, expires_at);
CREATE INDEX IF NOT EXISTS rm_sessions_awaiting ON rm_sessions (awaiting_destruction, id) WHERE awaiting_destruction = 1;
CREATE TABLE IF NOT EXISTS rm_breakers (id TEXT PRIMARY KEY, name TEXT NOT NULL, state TEXT NOT NULL, body TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS rm_breakers_state ON rm_breakers (name, state);
CREATE TABLE IF NOT EXISTS rm_freeze (id TEXT PRIMARY KEY, body TEXT NOT NULL) WITHOUT ROWID;
`;

/**
 * Creates the tables, or drops and recreates them when the file was written with another read-model
 * schema version (the rows are then rebuilt from the events). Returns true when it started empty.
 */
export function prepareReadModelSchema(db: Database.Database): { rebuilt: boolean } {
  const hasMeta = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'rm_meta'").get() !== undefined;
  const stored = hasMeta ? (db.prepare("SELECT value FROM rm_meta WHERE name = 'schema'").get() as { value: number } | undefined)?.value : undefined;
  const rebuilt = stored !== READ_MODEL_SCHEMA_VERSION;
  db.transaction(() => {
    if (rebuilt) for (const table of TABLES) db.exec(`DROP TABLE IF EXISTS ${table}`);
    db.exec(DDL);
    db.prepare("INSERT INTO rm_meta (name, value) VALUES ('schema', ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value").run(READ_MODEL_SCHEMA_VERSION);
  }).immediate();
  return { rebuilt };
}

/** Deletes every row and the position, keeping the schema. */
export function clearReadModels(db: Database.Database): void {
  db.transaction(() => {
    for (const table of TABLES) if (table !== 'rm_meta') db.exec(`DELETE FROM ${table}`);
    db.exec("DELETE FROM rm_meta WHERE name = 'position'");
  }).immediate();
}
