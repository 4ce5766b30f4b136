import { randomUUID } from 'node:crypto';
import { LOCAL_KMS_WARNING, EsdbEventStore, SqliteReadModels, createKmsProvider } from '@keyledger/adapters';
import { ForwardingTelemetry, createKeyOperations, type KeyOperations, type KeyOperationsPorts } from '@keyledger/key-operations';
import { kmsProviderSettings, type ApiConfig, type KeyledgerConfig } from '@keyledger/runtime';

/** The scheduler's side of a multi-instance deployment: its key operations on the shared store, no HTTP. */
export interface SchedulerSide {
  readonly store: EsdbEventStore;
  readonly ports: KeyOperationsPorts;
  readonly ops: KeyOperations;
  close(): Promise<void>;
}

/**
 * Composes what the rotation scheduler runs on (as apps/rotation-scheduler's createSchedulerRuntime
 * does: provider from the shared settings, the ESDB store, its own SQLite read-model file, views
 * replayed, no cache warm-up, no signer following), from the libs directly: an app's tests may not
 * import another app.
 */
export async function startSchedulerSide(config: KeyledgerConfig, api: ApiConfig, connectionString: string): Promise<SchedulerSide> {
  const provider = await createKmsProvider(kmsProviderSettings(config, api, () => undefined));
  const store = new EsdbEventStore({ connectionString });
  const readModels = new SqliteReadModels(config.viewsFile, { cacheSize: config.viewsCacheSize });
  const ports: KeyOperationsPorts = { store, provider, clock: { now: () => new Date() }, ids: { next: () => randomUUID() } };
  const ops = createKeyOperations({
    ...ports,
    readModels,
    telemetry: new ForwardingTelemetry(),
    instance: 'keyledger-scheduler@test',
    providerWarning: provider.kind === 'local' ? LOCAL_KMS_WARNING : null,
  });
  await ops.start(0);
  return {
    store,
    ports,
    ops,
    async close() {
      await ops.stop();
      readModels.close();
      await store.close();
      await provider.close();
    },
  };
}
