import { canonicalBody } from '@keyledger/adapters';
import type { RecordedEvent } from '@keyledger/kms-domain';

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

interface StoredBody {
  readonly data?: unknown;
  readonly metadata?: Record<string, unknown>;
  readonly revision?: unknown;
  readonly schemaVersion?: unknown;
  readonly stream?: unknown;
  readonly type?: unknown;
}

/**
 * Decodes a stored canonical body (`{data, metadata, revision, schemaVersion, stream, type}`).
 * Never throws: an unreadable body, or one naming another stream or revision than its row, gives
 * a record without an event and with the reason.
 */
export function recordOfRow(row: StoredRow): AuditRecord {
  return decodeRow(row.position, row.streamName, row.revision, row.prevHash, row.hash, row.body);
}

/** recordOfRow from the row's columns, without an intermediate object (the replay's hot path). */
export function decodeRow(position: number, streamName: string, revision: number, prevHash: string, hash: string, body: string): AuditRecord {
  const broken = (problem: string): AuditRecord => ({ position, streamName, revision, prevHash, hash, body, event: null, problem });
  let parsed: StoredBody;
  try {
    parsed = JSON.parse(body) as StoredBody;
  } catch {
    return broken('body is not valid JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || typeof parsed.metadata !== 'object' || parsed.metadata === null) return broken('body is not an event');
  if (parsed.stream !== streamName || parsed.revision !== revision) {
    return broken(`body names ${String(parsed.stream)}@${String(parsed.revision)}, not its row ${streamName}@${revision}`);
  }
  const m = parsed.metadata;
  const type = parsed.type as string;
  const schemaVersion = parsed.schemaVersion as number;
  const event: RecordedEvent = {
    streamName,
    revision,
    position,
    type,
    schemaVersion,
    data: parsed.data,
    metadata: {
      eventId: m.eventId as string,
      occurredAt: m.occurredAt as string,
      actor: m.actor as string,
      correlationId: m.correlationId as string,
      causationId: m.causationId as string | null,
      type,
      schemaVersion,
      prevHash,
      hash,
    },
  };
  return { position, streamName, revision, prevHash, hash, body, event };
}
