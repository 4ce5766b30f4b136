import { EsdbEventStore } from '../../src/event-store/esdb/esdb-event-store';
import { eventStoreContract } from '../event-store/contract';

const connectionString = process.env['EVENTSTORE_CONNECTION_STRING'];

// Opt-in: the same contract against a real EventStoreDB when one is configured.
if (connectionString) {
  eventStoreContract('EventStoreDB (real server)', {
    create: async () => new EsdbEventStore({ connectionString }),
    dispose: (store) => store.close(),
  });
} else {
  describe('EventStore contract: EventStoreDB (real server)', () => {
    it('runs only when EVENTSTORE_CONNECTION_STRING is set', () => {
      console.info('skipped: EVENTSTORE_CONNECTION_STRING is not set, so the contract ran against the in-process server only');
      expect(connectionString).toBeUndefined();
    });
  });
}
