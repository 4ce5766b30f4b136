import { createHash } from 'node:crypto';
import {
  GENESIS_HASH,
  StreamDeletedError,
  WrongExpectedRevisionError,
  type AppendOptions,
  type AppendResult,
  type EventStore,
  type NewEvent,
  type ReadStreamOptions,
  type RecordedEvent,
  type Subscription,
} from '@keyledger/kms-domain';

/** Most events one read returns, as in the adapters (libs/adapters read-options MAX_READ_COUNT). */
export const READ_CAP = 10_000;

/**
 * A minimal event store for the lib's unit tests (libs may not import the adapters). The real
 * stores are exercised end to end in apps/api.
 */
export class MemoryStore implements EventStore {
  readonly log: RecordedEvent[] = [];
  private readonly deleted = new Set<string>();
  private readonly wakers = new Set<() => void>();

  async append(streamName: string, events: readonly NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    if (this.deleted.has(streamName)) throw new StreamDeletedError(streamName);
    const existing = this.log.filter((e) => e.streamName === streamName);
    const last = existing[existing.length - 1];
    const actual = last ? last.revision : 'no-stream';
    const expected = options.expectedRevision ?? 'any';
    const ok = expected === 'any' || (expected === 'no-stream' ? actual === 'no-stream' : expected === 'stream-exists' ? actual !== 'no-stream' : expected === actual);
    if (!ok) throw new WrongExpectedRevisionError(streamName, expected, actual);
    let prevHash = last ? last.metadata.hash : GENESIS_HASH;
    let revision = last ? last.revision : -1;
    for (const e of events) {
      revision++;
      const hash = createHash('sha256').update(prevHash + JSON.stringify(e)).digest('hex');
      const data = JSON.parse(JSON.stringify(e.data)) as unknown;
      this.log.push({ streamName, revision, position: this.log.length + 1, type: e.type, schemaVersion: e.schemaVersion, data, metadata: { ...e.metadata, type: e.type, schemaVersion: e.schemaVersion, prevHash, hash } });
      prevHash = hash;
    }
    for (const wake of this.wakers) wake();
    return { revision, position: this.log.length };
  }

  /** Honours fromRevision and maxCount, and caps one read at READ_CAP events as the adapters do. */
  async readStream(streamName: string, options: ReadStreamOptions = {}): Promise<readonly RecordedEvent[]> {
    if (this.deleted.has(streamName)) return [];
    const from = options.fromRevision ?? 0;
    return this.log.filter((e) => e.streamName === streamName && e.revision >= from).slice(0, Math.min(options.maxCount ?? READ_CAP, READ_CAP));
  }

  async readAll(options: { after?: number; maxCount?: number } = {}): Promise<readonly RecordedEvent[]> {
    return this.log.slice(options.after ?? 0, (options.after ?? 0) + Math.min(options.maxCount ?? READ_CAP, READ_CAP));
  }

  async headPosition(): Promise<number> {
    return this.log.length;
  }

  subscribe(options: { after?: number } = {}): Subscription {
    let position = options.after ?? 0;
    let stopped = false;
    let wake: (() => void) | null = null;
    const wakers = this.wakers;
    const log = this.log;
    const waker = () => wake?.();
    wakers.add(waker);
    async function* iterate(): AsyncGenerator<RecordedEvent> {
      while (!stopped) {
        if (position < log.length) {
          yield log[position++];
          continue;
        }
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
      }
    }
    const iterator = iterate();
    return {
      [Symbol.asyncIterator]: () => iterator,
      stop: async () => {
        stopped = true;
        wakers.delete(waker);
        wake?.();
      },
    };
  }

  async deleteStream(streamName: string): Promise<void> {
    this.deleted.add(streamName);
  }

  async close(): Promise<void> {
    return undefined;
  }
}
