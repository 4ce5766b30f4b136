import type { RecordedEvent } from '@keyledger/kms-domain';
import type { AuditRecord } from './audit-record';

interface StoredBody {
  readonly data?: unknown;
  readonly metadata?: object;
  readonly revision?: unknown;
  readonly schemaVersion?: unknown;
  readonly stream?: unknown;
  readonly type?: unknown;
}

/**
 * Decodes a stored canonical body (`{data, metadata, revision, schemaVersion, stream, type}`) with
 * its row's columns. Never throws: an unreadable body, or one naming another stream or revision
 * than its row, gives a record without an event and with the reason. Kept free of the adapters so
 * the replay's worker thread loads little.
 */
export function decodeRow(position: number, streamName: string, revision: number, prevHash: string, hash: string, body: string): AuditRecord {
  let parsed: StoredBody;
  try {
    parsed = JSON.parse(body) as StoredBody;
  } catch {
    return broken(position, streamName, revision, prevHash, hash, body, 'body is not valid JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || typeof parsed.metadata !== 'object' || parsed.metadata === null) {
    return broken(position, streamName, revision, prevHash, hash, body, 'body is not an event');
  }
  if (parsed.stream !== streamName || parsed.revision !== revision) {
    const problem = `body names ${String(parsed.stream)}@${String(parsed.revision)}, not its row ${streamName}@${revision}`;
    return broken(position, streamName, revision, prevHash, hash, body, problem);
  }
  const type = parsed.type as string;
  const schemaVersion = parsed.schemaVersion as number;
  // The parsed metadata object becomes the recorded metadata (no copy per event on the replay's
  // hot path); whatever else a tampered body put in it is never read.
  const metadata = parsed.metadata as Record<string, unknown>;
  metadata.type = type;
  metadata.schemaVersion = schemaVersion;
  metadata.prevHash = prevHash;
  metadata.hash = hash;
  const event: RecordedEvent = { streamName, revision, position, type, schemaVersion, data: parsed.data, metadata: metadata as unknown as RecordedEvent['metadata'] };
  return { position, streamName, revision, prevHash, hash, body, event };
}

function broken(position: number, streamName: string, revision: number, prevHash: string, hash: string, body: string, problem: string): AuditRecord {
  return { position, streamName, revision, prevHash, hash, body, event: null, problem };
}
