import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Checkpoint, CheckpointStore } from './checkpoint-store';

/** Default file for projection checkpoints under the data directory (kept apart from the events file). */
export const DEFAULT_CHECKPOINTS_FILE = 'keyledger-projections.sqlite';

/** Projection checkpoints in a small SQLite file, written durably (WAL, synchronous=NORMAL: a lost checkpoint only means replay). */
export class SqliteCheckpointStore implements CheckpointStore {
  private readonly db: Database.Database;

  constructor(dataDir: string, fileName = DEFAULT_CHECKPOINTS_FILE) {
    mkdirSync(dataDir, { recursive: true });
    this.db = new Database(join(dataDir, fileName), { timeout: 5000 });
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec('CREATE TABLE IF NOT EXISTS checkpoints (name TEXT PRIMARY KEY, position INTEGER NOT NULL, state TEXT NOT NULL) WITHOUT ROWID');
  }

  async load(name: string): Promise<Checkpoint | null> {
    const row = this.db.prepare<[string], Checkpoint>('SELECT position, state FROM checkpoints WHERE name = ?').get(name);
    return row ?? null;
  }

  async save(name: string, checkpoint: Checkpoint): Promise<void> {
    this.db
      .prepare('INSERT INTO checkpoints (name, position, state) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position, state = excluded.state')
      .run(name, checkpoint.position, checkpoint.state);
  }

  async clear(name: string): Promise<void> {
    this.db.prepare('DELETE FROM checkpoints WHERE name = ?').run(name);
  }

  close(): void {
    this.db.close();
  }
}
