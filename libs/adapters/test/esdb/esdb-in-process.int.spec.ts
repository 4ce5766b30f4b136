import { EsdbEventStore } from '../../src/event-store/esdb/esdb-event-store';
import { eventStoreContract } from '../event-store/contract';
import { testEvent, uniqueStream } from '../event-store/fixtures';
import { InProcessEsdb, startInProcessEsdb } from '../../src/event-store/esdb/testing/in-process-esdb-server';

let server: InProcessEsdb;
beforeAll(async () => {
  server = await startInProcessEsdb();
});
afterAll(async () => {
  await server.stop();
});

eventStoreContract('EventStoreDB (in-process gRPC server)', {
  create: async () => new EsdbEventStore({ connectionString: server.connectionString, pollIntervalMs: 20 }),
  dispose: (store) => store.close(),
});

describe('EsdbEventStore against the in-process server', () => {
  it('stores our metadata and chain in the ESDB record and hides nothing else', async () => {
    const store = new EsdbEventStore({ connectionString: server.connectionString });
    const stream = uniqueStream();
    const event = testEvent('KeyCreated', { keyId: 'k9' }, { eventId: 'not-a-uuid-1' });
    await store.append(stream, [event]);
    const [record] = server.log.allRecords().filter((r) => r.stream === stream);
    expect(record.type).toBe('KeyCreated');
    expect(record.id).toMatch(/^[0-9a-f-]{36}$/);
    const metadata = JSON.parse(Buffer.from(record.customMetadata).toString('utf8'));
    expect(metadata).toMatchObject({ eventId: 'not-a-uuid-1', schemaVersion: 1, prevHash: '0'.repeat(64) });
    expect((await store.readStream(stream))[0].metadata.eventId).toBe('not-a-uuid-1');
    await store.close();
  });

  it('maps an unreachable server to STORE_UNAVAILABLE marked transient', async () => {
    const store = new EsdbEventStore({ connectionString: 'esdb://127.0.0.1:1?tls=false&defaultDeadline=2000' });
    await expect(store.append(uniqueStream(), [testEvent()])).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE', transient: true });
    await store.close();
  });

  it('refuses a malformed connection string with STORE_UNAVAILABLE (not transient)', () => {
    expect(() => new EsdbEventStore({ connectionString: 'http://nope' })).toThrow(expect.objectContaining({ code: 'STORE_UNAVAILABLE', transient: false }));
  });
});
