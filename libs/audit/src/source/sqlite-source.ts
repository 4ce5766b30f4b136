import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { AuditFormatError } from '../audit-errors';
import { AuditRecord, decodeRow } from '../verify/audit-record';
import type { RecordedStreamHead } from '../verify/chain-check';
import type { AuditSource } from './audit-source';

type Row = [position: number, stream: string, revision: number, prevHash: string, hash: string, body: string];

const PAGE = 5000;

/**
 * Reads the embedded store's SQLite file directly and read-only, without the adapter: the stored
 * canonical bodies are hashed exactly as written, undecodable rows become findings instead of
 * errors, and the `streams` table's heads are compared with the chains.
 */
export function openSqliteAuditSource(file: string): AuditSource {
  if (!existsSync(file)) throw new AuditFormatError(`no such SQLite file: ${file}`);
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    db.prepare('SELECT position, stream, revision, prev_hash, hash, body FROM events LIMIT 0').all();
  } catch (error) {
    throw new AuditFormatError(`${file} is not a keyledger event store (${error instanceof Error ? error.message : 'unreadable'})`);
  }
  const page = db.prepare<[number, number], Row>('SELECT position, stream, revision, prev_hash, hash, body FROM events WHERE position > ? ORDER BY position LIMIT ?').raw(true);
  const count = db.prepare<[], [number]>('SELECT COUNT(*) FROM events').raw(true).get();
  return {
    description: `sqlite:${file}`,
    total: count ? count[0] : null,
    records: () => rows(page),
    streamHeads: () => streamHeads(db),
    close: async () => {
      db.close();
    },
  };
}

function* rows(page: Database.Statement<[number, number], Row>): Iterable<AuditRecord> {
  let after = 0;
  for (;;) {
    const batch = page.all(after, PAGE);
    for (const row of batch) yield decodeRow(row[0], row[1], row[2], row[3], row[4], row[5]);
    if (batch.length < PAGE) return;
    after = batch[batch.length - 1][0];
  }
}

function streamHeads(db: Database.Database): RecordedStreamHead[] {
  const heads = db.prepare<[], { stream: string; revision: number; hash: string; deleted: number }>('SELECT stream, revision, hash, deleted FROM streams').all();
  return heads.map((h) => ({ streamName: h.stream, revision: h.revision, hash: h.hash, deleted: h.deleted !== 0 }));
}
