import { InMemoryEventStore } from '../../src/event-store/in-memory-event-store';
import { eventStoreContract } from './contract';

eventStoreContract('in-memory', {
  create: async () => new InMemoryEventStore(),
  dispose: (store) => store.close(),
});
