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
    for (let i = 0; i < rows.length; i++) if (!wellTyped(rows[i])) rows[i] = asStoredText(rows[i]);
    if (rows.length > 0) yield rows;
    if (rows.length < PAGE) return;
    after = rows[rows.length - 1][0];
  }
}

function wellTyped(r: RowTuple): boolean {
  return typeof r[1] === 'string' && typeof r[2] === 'number' && typeof r[3] === 'string' && typeof r[4] === 'string' && typeof r[5] === 'string';
}

/**
 * A row whose text columns hold something else (SQLite keeps a BLOB or a number in a TEXT column
 * as given: only a tampered file has one): the values as text (a BLOB's bytes read as UTF-8, as
 * the store writes its text) and the revision as a number, so every replay mode checks the same
 * values and reports the row instead of failing on it.
 */
function asStoredText(r: RowTuple): RowTuple {
  const text = (v: unknown): string => (Buffer.isBuffer(v) ? v.toString('utf8') : String(v));
  return [r[0], text(r[1]), Number(r[2]), text(r[3]), text(r[4]), text(r[5])];
}

function streamHeads(db: Database.Database): RecordedStreamHead[] {
  const heads = db.prepare<[], { stream: string; revision: number; hash: string; deleted: number }>('SELECT stream, revision, hash, deleted FROM streams').all();
  return heads.map((h) => ({ streamName: h.stream, revision: h.revision, hash: h.hash, deleted: h.deleted !== 0 }));
}
