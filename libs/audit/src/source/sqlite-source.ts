import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { AuditFormatError } from '../audit-errors';
import type { AuditRecord } from '../verify/audit-record';
import { decodeRow } from '../verify/decode-row';
import type { RecordedStreamHead } from '../verify/chain-check';
import type { RowBatch, RowTuple } from '../verify/row-batch';
import type { AuditSource } from './audit-source';


/** Rows per read: small pages keep the live set small, so young-generation collections stay cheap. */
const PAGE = 1000;

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
  const page = db.prepare<[number, number], RowTuple>('SELECT position, stream, revision, prev_hash, hash, body FROM events WHERE position > ? ORDER BY position LIMIT ?').raw(true);
  const count = db.prepare<[], [number]>('SELECT COUNT(*) FROM events').raw(true).get();
  return {
    description: `sqlite:${file}`,
    total: count ? count[0] : null,
    records: () => records(page),
    rowBatches: () => rowBatches(page),
    streamHeads: () => streamHeads(db),
    close: async () => {
      db.close();
    },
  };
}

function* records(page: Database.Statement<[number, number], RowTuple>): Iterable<AuditRecord> {
  for (const rows of rowBatches(page)) {
    for (const r of rows) yield decodeRow(r[0], r[1], r[2], r[3], r[4], r[5]);
  }
}

function* rowBatches(page: Database.Statement<[number, number], RowTuple>): Iterable<RowBatch> {
  let after = 0;
  for (;;) {
    const rows = page.all(after, PAGE);
    if (rows.length > 0) yield rows;
    if (rows.length < PAGE) return;
    after = rows[rows.length - 1][0];
  }
}

function streamHeads(db: Database.Database): RecordedStreamHead[] {
  const heads = db.prepare<[], { stream: string; revision: number; hash: string; deleted: number }>('SELECT stream, revision, hash, deleted FROM streams').all();
  return heads.map((h) => ({ streamName: h.stream, revision: h.revision, hash: h.hash, deleted: h.deleted !== 0 }));
}
