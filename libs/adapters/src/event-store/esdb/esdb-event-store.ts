import { BACKWARDS, END, EventStoreDBClient, FORWARDS, NO_STREAM, ResolvedEvent, START } from '@eventstore/db-client';
import {
  AppendOptions,
  AppendResult,
  EventStore,
  ExpectedRevision,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  StoreUnavailableError,
  Subscription,
  WrongExpectedRevisionError,
  assertValidStreamName,
} from '@keyledger/kms-domain';
import { StreamHead } from '../chain-rule';
import { chainEvents } from '../envelope';
import { assertValidExpectedRevision, checkExpectedRevision } from '../expected-revision';
import { pollingSubscription } from '../polling-subscription';
import { readLimit, startAfter, startRevision } from '../read-options';
import { actualRevisionOf, isWrongExpectedVersion, mapEsdbError } from './esdb-errors';
import { fromEsdbEvent, isSystemRecord, toEsdbEvent } from './esdb-records';
import { KeyedQueue } from './keyed-queue';

/** Connection and polling settings for the EventStoreDB adapter. */
export interface EsdbStoreOptions {
  /** EVENTSTORE_CONNECTION_STRING, e.g. `esdb://node1:2113,node2:2113?tls=true`. */
  readonly connectionString: string;
  /** How often subscriptions poll $all for new events. */
  readonly pollIntervalMs?: number;
  /** Retries of an `any`/`stream-exists` append that lost a race with another writer. */
  readonly maxRaceRetries?: number;
}

/**
 * The event store on EventStoreDB (production, clustered). Chains each append onto the stream's
 * last event (read first, then appended with that exact revision, so the chain never forks),
 * hides ESDB's $-system records, maps client errors to the port's typed errors, and deletes
 * streams with a tombstone so a shredded stream can never be recreated.
 */
export class EsdbEventStore implements EventStore {
  private readonly client: EventStoreDBClient;
  private readonly perStream = new KeyedQueue();
  private readonly listeners = new Set<() => void>();
  private closed = false;

  constructor(private readonly options: EsdbStoreOptions) {
    try {
      this.client = EventStoreDBClient.connectionString(options.connectionString);
    } catch (error) {
      throw new StoreUnavailableError('invalid EventStoreDB connection string', false, { cause: error });
    }
  }

  async append(streamName: string, events: readonly NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    this.assertOpen();
    assertValidStreamName(streamName);
    const expected = options.expectedRevision ?? 'any';
    assertValidExpectedRevision(expected);
    const result = await this.perStream.run(streamName, () => this.appendChained(streamName, events, expected));
    for (const listener of this.listeners) listener();
    return result;
  }

  async readStream(streamName: string, options: ReadStreamOptions = {}): Promise<readonly RecordedEvent[]> {
    this.assertOpen();
    assertValidStreamName(streamName);
    const fromRevision = BigInt(startRevision(options.fromRevision));
    const read = () => this.client.readStream(streamName, { fromRevision, maxCount: readLimit(options.maxCount), direction: FORWARDS });
    return (await this.collect(streamName, read)).map(fromEsdbEvent);
  }

  async readAll(options: ReadAllOptions = {}): Promise<readonly RecordedEvent[]> {
    this.assertOpen();
    const after = startAfter(options.after);
    const limit = readLimit(options.maxCount);
    const out: RecordedEvent[] = [];
    let from = after;
    for (;;) {
      const fromPosition = from === 0 ? START : { commit: BigInt(from), prepare: BigInt(from) };
      const page = await this.collect('$all', () => this.client.readAll({ fromPosition, maxCount: limit + 1, direction: FORWARDS }));
      for (const resolved of page) {
        const position = Number(resolved.event?.position?.commit ?? -1);
        if (position <= from || isSystemRecord(resolved)) continue;
        if (out.length < limit) out.push(fromEsdbEvent(resolved));
      }
      if (out.length >= limit || page.length < limit + 1) return out;
      from = Number(page[page.length - 1].event?.position?.commit ?? from);
    }
  }

  async headPosition(): Promise<number> {
    this.assertOpen();
    let from: typeof END | { commit: bigint; prepare: bigint } = END;
    for (;;) {
      const page = await this.collect('$all', () => this.client.readAll({ fromPosition: from, maxCount: 100, direction: BACKWARDS }));
      const mine = page.find((r) => !isSystemRecord(r));
      if (mine) return Number(mine.event?.position?.commit ?? 0);
      if (page.length < 100) return 0;
      const last = page[page.length - 1].event?.position;
      if (!last) return 0;
      from = { commit: last.commit - BigInt(1), prepare: last.prepare - BigInt(1) };
    }
  }

  subscribe(options: { readonly after?: number } = {}): Subscription {
    return pollingSubscription(
      { readAll: (o) => this.readAll(o), appendListeners: this.listeners },
      { after: options.after, pollIntervalMs: this.options.pollIntervalMs ?? 200 },
    );
  }

  async deleteStream(streamName: string): Promise<void> {
    this.assertOpen();
    assertValidStreamName(streamName);
    await this.perStream.run(streamName, async () => {
      try {
        await this.client.tombstoneStream(streamName);
      } catch (error) {
        const mapped = mapEsdbError(error, streamName);
        if ((mapped as { code?: string }).code !== 'STREAM_DELETED') throw mapped;
      }
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.client.dispose();
  }

  private async appendChained(streamName: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    const attempts = (this.options.maxRaceRetries ?? 5) + 1;
    for (let attempt = 1; ; attempt++) {
      const head = await this.readHead(streamName);
      checkExpectedRevision(streamName, expected, head ? head.revision : 'no-stream');
      const chained = chainEvents(streamName, head, events);
      try {
        const result = await this.client.appendToStream(streamName, chained.map(toEsdbEvent), {
          expectedRevision: head ? BigInt(head.revision) : NO_STREAM,
        });
        return { revision: Number(result.nextExpectedRevision), position: Number(result.position?.commit ?? -1) };
      } catch (error) {
        const raced = isWrongExpectedVersion(error);
        if (raced && typeof expected !== 'number' && expected !== 'no-stream' && attempt < attempts) continue;
        if (raced) throw new WrongExpectedRevisionError(streamName, expected, actualRevisionOf(error), { cause: error });
        throw mapEsdbError(error, streamName, expected);
      }
    }
  }

  private async readHead(streamName: string): Promise<StreamHead | null> {
    const [last] = await this.collect(streamName, () => this.client.readStream(streamName, { fromRevision: END, maxCount: 1, direction: BACKWARDS }));
    if (!last) return null;
    const recorded = fromEsdbEvent(last);
    return { revision: recorded.revision, hash: recorded.metadata.hash };
  }

  /** Drains a client read; a missing stream reads as empty, a tombstoned one too (it was shredded). */
  private async collect(streamName: string, read: () => AsyncIterable<ResolvedEvent>): Promise<ResolvedEvent[]> {
    const out: ResolvedEvent[] = [];
    try {
      for await (const resolved of read()) out.push(resolved);
    } catch (error) {
      const type = (error as { type?: string }).type;
      if (type === 'stream-not-found' || type === 'stream-deleted') return [];
      throw mapEsdbError(error, streamName);
    }
    return out;
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreUnavailableError('the store is closed', false);
  }
}
