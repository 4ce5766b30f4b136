// Child process for the crash-safety test: appends under load to a SQLite store and prints one
// `ack <stream> <revision> <eventId>` line per acknowledged event until it is killed.
import { randomUUID } from 'node:crypto';
import { SqliteEventStore } from '../../src/event-store/sqlite/sqlite-event-store';

const dataDir = process.argv[2];
const store = SqliteEventStore.open({ dataDir });
const streams = Array.from({ length: 8 }, (_, i) => `crash-s${i}`);

async function writer(worker: number): Promise<never> {
  for (let n = 0; ; n++) {
    const stream = streams[(worker + n) % streams.length];
    const events = Array.from({ length: 1 + (n % 3) }, (_, i) => ({
      type: 'CrashTestAppended',
      schemaVersion: 1,
      data: { worker, n, i, pad: 'x'.repeat(64) },
      metadata: { eventId: randomUUID(), occurredAt: new Date().toISOString(), actor: 'crash-writer', correlationId: randomUUID(), causationId: null },
    }));
    const { revision } = await store.append(stream, events);
    const first = revision - events.length + 1;
    process.stdout.write(events.map((e, i) => `ack ${stream} ${first + i} ${e.metadata.eventId}\n`).join(''));
  }
}

process.stdout.on('error', () => process.exit(1));
process.stdout.write('ready\n');
for (let w = 0; w < 16; w++) void writer(w);
