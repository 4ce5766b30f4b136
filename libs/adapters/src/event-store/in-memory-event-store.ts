import {
  AppendOptions,
  AppendResult,
  EventStore,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  StoreUnavailableError,
  StreamDeletedError,
  Subscription,
  assertValidStreamName,
} from '@keyledger/kms-domain';
import { chainEvents, decodeBody } from './envelope';
import { assertValidExpectedRevision, checkExpectedRevision } from './expected-revision';
import { pollingSubscription } from './polling-subscription';
import { readLimit, startAfter, startRevision } from './read-options';

interface MemoryStream {
  readonly events: RecordedEvent[];
  deleted: boolean;
}

/**
 * The event store in process memory, with the same validation, chaining and semantics as the
 * durable adapters (it passes the same contract suite). For tests and throwaway runs.
 */
export class InMemoryEventStore implements EventStore {
  private readonly log: (RecordedEvent | null)[] = [];
  private readonly streams = new Map<string, MemoryStream>();
  private readonly listeners = new Set<() => void>();
  private closed = false;

  async append(streamName: string, events: readonly NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    this.assertOpen();
    assertValidStreamName(streamName);
    const expected = options.expectedRevision ?? 'any';
    assertValidExpectedRevision(expected);
    const stream = this.streams.get(streamName);
    if (stream?.deleted) throw new StreamDeletedError(streamName);
    const last = stream?.events[stream.events.length - 1];
    checkExpectedRevision(streamName, expected, last ? last.revision : 'no-stream');
    const chained = chainEvents(streamName, last ? { revision: last.revision, hash: last.metadata.hash } : null, events);
    const target = stream ?? { events: [], deleted: false };
    this.streams.set(streamName, target);
    for (const c of chained) {
      const position = this.log.length + 1;
      const recorded = decodeBody({ position, stream: streamName, revision: c.revision, prevHash: c.prevHash, hash: c.hash }, c.body);
      this.log.push(recorded);
      target.events.push(recorded);
    }
    for (const listener of this.listeners) listener();
    return { revision: chained[chained.length - 1].revision, position: this.log.length };
  }

  async readStream(streamName: string, options: ReadStreamOptions = {}): Promise<readonly RecordedEvent[]> {
    this.assertOpen();
    assertValidStreamName(streamName);
    const stream = this.streams.get(streamName);
    if (!stream || stream.deleted) return [];
    const from = startRevision(options.fromRevision);
    return stream.events.slice(from, from + readLimit(options.maxCount));
  }

  async readAll(options: ReadAllOptions = {}): Promise<readonly RecordedEvent[]> {
    this.assertOpen();
    const limit = readLimit(options.maxCount);
    const out: RecordedEvent[] = [];
    for (let i = startAfter(options.after); i < this.log.length && out.length < limit; i++) {
      const event = this.log[i];
      if (event) out.push(event);
    }
    return out;
  }

  async headPosition(): Promise<number> {
    this.assertOpen();
    for (let i = this.log.length - 1; i >= 0; i--) if (this.log[i]) return i + 1;
    return 0;
  }

  subscribe(options: { readonly after?: number } = {}): Subscription {
    return pollingSubscription(
      { readAll: (o) => this.readAll(o), appendListeners: this.listeners },
      { after: options.after, pollIntervalMs: 1000 },
    );
  }

  async deleteStream(streamName: string): Promise<void> {
    this.assertOpen();
    assertValidStreamName(streamName);
    const stream = this.streams.get(streamName) ?? { events: [], deleted: false };
    for (const event of stream.events) this.log[event.position - 1] = null;
    this.streams.set(streamName, { events: [], deleted: true });
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreUnavailableError('the store is closed', false);
  }
}
