import { EventStore, StoreUnavailableError } from '@keyledger/kms-domain';
import { EsdbEventStore } from './esdb/esdb-event-store';
import { SqliteEventStore } from './sqlite/sqlite-event-store';

/** Which adapter to open (EVENTSTORE), with what it needs: the data directory or the ESDB connection string. */
export type EventStoreSelection =
  | { readonly kind: 'embedded'; readonly dataDir: string }
  | { readonly kind: 'esdb'; readonly connectionString: string | undefined };

/** Opens the configured event store; STORE_UNAVAILABLE (not transient) when its settings are missing. */
export function openEventStore(selection: EventStoreSelection): EventStore {
  switch (selection.kind) {
    case 'embedded':
      return SqliteEventStore.open({ dataDir: selection.dataDir });
    case 'esdb':
      if (!selection.connectionString) throw new StoreUnavailableError('EVENTSTORE=esdb needs EVENTSTORE_CONNECTION_STRING', false);
      return new EsdbEventStore({ connectionString: selection.connectionString });
    default: {
      const never: never = selection;
      throw new StoreUnavailableError(`unknown event store ${String((never as { kind?: unknown }).kind)}`, false);
    }
  }
}
