import { canonicalBody } from '@keyledger/adapters';
import type { RecordedEvent } from '@keyledger/kms-domain';
import { decodeRow } from './decode-row';

/**
 * One stored event as the replay sees it: its place, the chain hashes as stored, the exact bytes
 * the chain hashes (`body`), and the decoded event (null when the stored body cannot be decoded;
 * `problem` says why).
 */
export interface AuditRecord {
  readonly position: number;
  readonly streamName: string;
  readonly revision: number;
  readonly prevHash: string;
  readonly hash: string;
  readonly body: string;
  readonly event: RecordedEvent | null;
  readonly problem?: string;
}

/** A record from an event read through the port: the body is rebuilt in canonical form. */
export function recordOfEvent(event: RecordedEvent): AuditRecord {
  return {
    position: event.position,
    streamName: event.streamName,
    revision: event.revision,
    prevHash: event.metadata.prevHash,
    hash: event.metadata.hash,
    body: canonicalBody(event.streamName, event.revision, event),
    event,
  };
}

/** The columns of one stored row (SQLite file, or a raw line of an export). */
export interface StoredRow {
  readonly position: number;
  readonly streamName: string;
  readonly revision: number;
  readonly prevHash: string;
  readonly hash: string;
  readonly body: string;
}

/**
 * Decodes a stored canonical body (`{data, metadata, revision, schemaVersion, stream, type}`).
 * Never throws: an unreadable body, or one naming another stream or revision than its row, gives
 * a record without an event and with the reason.
 */
export function recordOfRow(row: StoredRow): AuditRecord {
  return decodeRow(row.position, row.streamName, row.revision, row.prevHash, row.hash, row.body);
}

export { decodeRow };
