import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { LOCAL_KMS_WARNING, SqliteReadModels, TimedEventStore, createKmsProvider, openEventStore } from '@keyledger/adapters';
import {
  BreakGlassSessions,
  KeyMaintenance,
  KeyRotation,
  createKeyOperations,
  ForwardingTelemetry,
  type KeyOperations,
  type KeyOperationsPorts,
} from '@keyledger/key-operations';
import { InMemoryReadModels, type Clock, type EventStore, type IdGenerator, type KmsProvider, type ReadModels } from '@keyledger/kms-domain';
import type { EventStoreHealthProbe, KmsHealthProbe } from '@keyledger/observability';
import { resiliencePolicyOptionsFromEnv, type ResiliencePolicyOptions } from '@keyledger/resilience';
import { kmsProviderSettings, type ApiConfig, type KeyledgerConfig } from '@keyledger/runtime';

/** Everything the scheduler's jobs run on: the same key operations the API uses, plus the rotation and maintenance use cases. */
export interface SchedulerRuntime {
  readonly ports: KeyOperationsPorts;
  readonly ops: KeyOperations;
  readonly rotation: KeyRotation;
  readonly maintenance: KeyMaintenance;
  readonly sessions: BreakGlassSessions;
  readonly telemetry: ForwardingTelemetry;
  readonly kmsProbe: KmsHealthProbe;
  readonly eventStoreProbe: EventStoreHealthProbe;
  close(): Promise<void>;
}

/** What a runtime is composed from; tests pass an in-memory store, a fake clock and their provider. */
export interface SchedulerRuntimeParts {
  readonly store: EventStore;
  readonly provider: KmsProvider;
  readonly clock?: Clock;
  readonly ids?: IdGenerator;
  readonly policyOptions?: (name: string) => ResiliencePolicyOptions;
  readonly storeKind?: string;
  readonly instance?: string;
  /** The status views' read models (default: in memory, for tests). */
  readonly readModels?: ReadModels;
  /** Readiness fails past this lag (VIEWS_MAX_LAG_EVENTS, default 10,000). */
  readonly viewsMaxLagEvents?: number;
  /** BREAKGLASS_REQUEST_TTL_MINUTES and BREAKGLASS_OUTAGE_LEASE_SECONDS (defaults 60 and 60). */
  readonly breakGlass?: { readonly requestTtlMinutes?: number; readonly outageLeaseMs?: number };
  /** Close the store and provider with the runtime (default true). */
  readonly owned?: boolean;
}

/** Composes and starts the key operations for the scheduler (views replayed, no cache warm-up). */
export async function composeSchedulerRuntime(parts: SchedulerRuntimeParts): Promise<SchedulerRuntime> {
  const { provider } = parts;
  const telemetry = new ForwardingTelemetry();
  // Every append the scheduler makes is timed (eventstore_append_seconds{store}).
  const store = new TimedEventStore(parts.store, parts.storeKind ?? 'memory', (name, seconds) => telemetry.eventstoreAppend(name, seconds));
  const ports: KeyOperationsPorts = { store, provider, clock: parts.clock ?? { now: () => new Date() }, ids: parts.ids ?? { next: () => randomUUID() } };
  const readModels = parts.readModels ?? new InMemoryReadModels();
  const ops = createKeyOperations({
    ...ports,
    readModels,
    telemetry,
    policyOptions: parts.policyOptions ?? ((name) => resiliencePolicyOptionsFromEnv(name, process.env)),
    instance: parts.instance ?? `keyledger-scheduler@${hostname()}:${process.pid}`,
    providerWarning: provider.kind === 'local' ? LOCAL_KMS_WARNING : null,
    breakGlass: parts.breakGlass,
  });
  const sessions = new BreakGlassSessions(ops.views);
  await ops.start(0);
  return {
    ports,
    ops,
    rotation: new KeyRotation(ports, ops.views, ops.lifecycle),
    maintenance: new KeyMaintenance(ports, ops.views, ops.gateway),
    sessions,
    telemetry,
    kmsProbe: {
      provider: provider.kind,
      check: async () => {
        const health = await provider.healthProbe();
        if (health.status === 'down') throw new Error(`${health.code}: ${health.reason}`);
      },
    },
    eventStoreProbe: {
      store: parts.storeKind ?? 'memory',
      check: () => ops.views.readiness(parts.viewsMaxLagEvents ?? 10_000),
    },
    async close() {
      sessions.close();
      await ops.stop();
      readModels.close();
      if (parts.owned === false) return;
      await store.close();
      await provider.close();
    },
  };
}


/** Opens the configured store and provider (fail closed: REQUIRE_KMS refuses the local provider) and composes the runtime. */
export async function createSchedulerRuntime(config: KeyledgerConfig, api: ApiConfig, warn: (m: string) => void): Promise<SchedulerRuntime> {
  const provider = await createKmsProvider(kmsProviderSettings(config, api, warn));
  const store = openEventStore(
    config.eventStore === 'embedded' ? { kind: 'embedded', dataDir: config.dataDir } : { kind: 'esdb', connectionString: process.env.EVENTSTORE_CONNECTION_STRING },
  );
  const readModels = new SqliteReadModels(config.viewsFile, { cacheSize: config.viewsCacheSize });
  return composeSchedulerRuntime({
    store,
    provider,
    storeKind: config.eventStore,
    readModels,
    viewsMaxLagEvents: config.viewsMaxLagEvents,
    breakGlass: { requestTtlMinutes: config.breakGlassRequestTtlMinutes, outageLeaseMs: config.breakGlassOutageLeaseSeconds * 1000 },
  });
}
