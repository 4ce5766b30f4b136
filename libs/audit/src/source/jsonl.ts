import { once } from 'node:events';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { RecordedEvent } from '@keyledger/kms-domain';
import { AuditFormatError } from '../audit-errors';
import { AuditRecord, StoredRow, recordOfEvent, recordOfRow } from '../verify/audit-record';
import type { AuditSource } from './audit-source';

/**
 * The export format: one JSON object per line in global order. A readable event is written as the
 * port's RecordedEvent (metadata carries prevHash and hash); a record that could not be decoded
 * is written raw ({position, streamName, revision, prevHash, hash, body}) so nothing is lost.
 */
export function jsonlLine(record: AuditRecord): string {
  if (record.event !== null) return JSON.stringify(record.event);
  const raw: StoredRow = { position: record.position, streamName: record.streamName, revision: record.revision, prevHash: record.prevHash, hash: record.hash, body: record.body };
  return JSON.stringify(raw);
}

/** Writes every record of a source to `file` as JSONL; returns the number written. */
export async function exportJsonl(source: AuditSource, file: string, onProgress?: (written: number) => void): Promise<number> {
  const out = createWriteStream(file, { encoding: 'utf8' });
  let written = 0;
  try {
    for await (const record of source.records()) {
      if (!out.write(jsonlLine(record) + '\n')) await once(out, 'drain');
      written += 1;
      if (onProgress && written % 1000 === 0) onProgress(written);
    }
  } finally {
    out.end();
    await once(out, 'close');
  }
  onProgress?.(written);
  return written;
}

/** A JSONL export as a replay source; a line that is not an exported event is AUDIT_FORMAT_INVALID. */
export function jsonlAuditSource(file: string): AuditSource {
  if (!existsSync(file)) throw new AuditFormatError(`no such file: ${file}`);
  return { description: file, total: null, records: () => readJsonl(file), close: async () => undefined };
}

async function* readJsonl(file: string): AsyncIterable<AuditRecord> {
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    n += 1;
    if (line.trim() === '') continue;
    yield parseLine(line, n);
  }
}

function parseLine(line: string, n: number): AuditRecord {
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(line) as Record<string, unknown>;
  } catch {
    throw new AuditFormatError(`line ${n} is not JSON`);
  }
  const placed = value !== null && typeof value === 'object' && Number.isSafeInteger(value.position) && Number.isSafeInteger(value.revision) && typeof value.streamName === 'string';
  if (!placed) throw new AuditFormatError(`line ${n} is not an exported event`);
  if (typeof value.body === 'string') {
    const row = value as unknown as StoredRow;
    return recordOfRow({ position: row.position, streamName: row.streamName, revision: row.revision, prevHash: String(row.prevHash), hash: String(row.hash), body: row.body });
  }
  const event = value as unknown as RecordedEvent;
  if (event.metadata === null || typeof event.metadata !== 'object') throw new AuditFormatError(`line ${n} has no metadata`);
  try {
    return recordOfEvent(event);
  } catch (error) {
    throw new AuditFormatError(`line ${n}: ${error instanceof Error ? error.message : 'not canonicalisable'}`);
  }
}
