/** One record of the in-process EventStoreDB test server's log. */
export interface LogRecord {
  readonly stream: string;
  readonly revision: number;
  readonly position: number;
  readonly id: string;
  readonly type: string;
  readonly contentType: string;
  readonly created: string;
  readonly data: Uint8Array;
  readonly customMetadata: Uint8Array;
}

/** The record fields a client proposes; the log assigns the rest. */
export type Proposed = Pick<LogRecord, 'id' | 'type' | 'contentType' | 'data' | 'customMetadata'>;

/** ESDB's expected-revision forms as the server receives them. */
export type Expected = { kind: 'any' } | { kind: 'no-stream' } | { kind: 'stream-exists' } | { kind: 'revision'; revision: number };

interface LogStream {
  records: LogRecord[];
  /** Revision the next event gets: ESDB keeps counting after a soft delete. */
  nextRevision: number;
  softDeleted: boolean;
  tombstoned: boolean;
}

/**
 * The store behind the in-process ESDB server: streams with revisions, a global log whose
 * positions grow by record size (as ESDB's byte positions do), soft delete and tombstones.
 */
export class MemoryLog {
  private readonly all: (LogRecord | null)[] = [];
  private readonly streams = new Map<string, LogStream>();
  private nextPosition = 0;

  /** Current revision for expected-revision checks; undefined when there is no (live) stream. */
  currentRevision(stream: string): number | undefined {
    const s = this.streams.get(stream);
    if (!s || s.softDeleted || s.nextRevision === 0) return undefined;
    return s.nextRevision - 1;
  }

  isTombstoned(stream: string): boolean {
    return this.streams.get(stream)?.tombstoned ?? false;
  }

  /** True when `expected` holds for the stream now. */
  matches(stream: string, expected: Expected): boolean {
    const current = this.currentRevision(stream);
    switch (expected.kind) {
      case 'any':
        return true;
      case 'no-stream':
        return current === undefined;
      case 'stream-exists':
        return current !== undefined;
      case 'revision':
        return current === expected.revision;
    }
  }

  append(stream: string, proposed: readonly Proposed[]): LogRecord[] {
    const s = this.streams.get(stream) ?? { records: [], nextRevision: 0, softDeleted: false, tombstoned: false };
    this.streams.set(stream, s);
    if (s.softDeleted) {
      s.softDeleted = false;
      s.records = [];
    }
    return proposed.map((p) => {
      this.nextPosition += 64 + p.data.length + p.customMetadata.length;
      const record: LogRecord = { ...p, stream, revision: s.nextRevision++, position: this.nextPosition, created: String(BigInt(Date.now()) * BigInt(10000)) };
      s.records.push(record);
      this.all.push(record);
      return record;
    });
  }

  /** Live records of a stream, or undefined when it does not exist or was deleted. */
  streamRecords(stream: string): readonly LogRecord[] | undefined {
    const s = this.streams.get(stream);
    if (!s || s.softDeleted || s.records.length === 0) return undefined;
    return s.records;
  }

  allRecords(): LogRecord[] {
    return this.all.filter((r): r is LogRecord => r !== null);
  }

  /** Soft delete (Delete) or hard delete (Tombstone); the records leave the log at once (as after a scavenge). */
  remove(stream: string, tombstone: boolean): number {
    const s = this.streams.get(stream) ?? { records: [], nextRevision: 0, softDeleted: false, tombstoned: false };
    this.streams.set(stream, s);
    for (let i = 0; i < this.all.length; i++) if (this.all[i]?.stream === stream) this.all[i] = null;
    s.records = [];
    s.softDeleted = !tombstone;
    s.tombstoned = s.tombstoned || tombstone;
    return this.nextPosition;
  }
}
