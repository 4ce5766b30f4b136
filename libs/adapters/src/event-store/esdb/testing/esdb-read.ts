import { ReadReq } from '@eventstore/db-client/generated/streams_pb';
import { LogRecord, MemoryLog } from './esdb-memory-log';

/** What a Read request finds: records, a missing stream, or a tombstoned one. */
export type ReadResult =
  | { kind: 'records'; records: readonly LogRecord[] }
  | { kind: 'not-found'; stream: string }
  | { kind: 'deleted'; stream: string };

/** Applies a Read request's options (stream or $all, direction, start, count) to the log. */
export function readRecords(log: MemoryLog, options: ReadReq.Options): ReadResult {
  const backwards = options.getReadDirection() === ReadReq.Options.ReadDirection.BACKWARDS;
  const count = Number(options.getCount() || '0');
  const stream = options.getStream();
  if (stream) {
    const name = Buffer.from(stream.getStreamIdentifier()?.getStreamName_asU8() ?? new Uint8Array()).toString('utf8');
    if (log.isTombstoned(name)) return { kind: 'deleted', stream: name };
    const records = log.streamRecords(name);
    if (!records) return { kind: 'not-found', stream: name };
    const from = stream.hasRevision() ? Number(stream.getRevision()) : undefined;
    return { kind: 'records', records: page(records, (r) => r.revision, from, stream.hasEnd(), backwards, count) };
  }
  const all = options.getAll();
  const from = all?.hasPosition() ? Number(all.getPosition()?.getCommitPosition()) : undefined;
  return { kind: 'records', records: page(log.allRecords(), (r) => r.position, from, all?.hasEnd() ?? false, backwards, count) };
}

function page(records: readonly LogRecord[], key: (r: LogRecord) => number, from: number | undefined, fromEnd: boolean, backwards: boolean, count: number): LogRecord[] {
  const ordered = backwards ? [...records].reverse() : [...records];
  const start = fromEnd ? (backwards ? ordered : []) : from === undefined ? ordered : ordered.filter((r) => (backwards ? key(r) <= from : key(r) >= from));
  return start.slice(0, count);
}
