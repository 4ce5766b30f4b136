import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { trace, type Tracer } from '@opentelemetry/api';
import { LOCAL_KMS_WARNING, SqliteReadModels, TimedEventStore, createKmsProvider, openEventStore } from '@keyledger/adapters';
import { ForwardingTelemetry, createKeyOperations, type KeyOperations, type RetrievalTracer } from '@keyledger/key-operations';
import type { EventStore, KmsProvider } from '@keyledger/kms-domain';
import { inRetrievalSpan, type EventStoreHealthProbe, type KmsHealthProbe } from '@keyledger/observability';
import { resiliencePolicyOptionsFromEnv } from '@keyledger/resilience';
import { kmsProviderSettings, type ApiConfig, type KeyledgerConfig } from '@keyledger/runtime';
import { createAuthenticator, type Authenticator } from '../auth/authenticator';
import { loadBreakGlassConfig } from '../break-glass/break-glass.config';

/** How often the API expires break-glass sessions past their ttl itself (the scheduler does too). */
export const BREAK_GLASS_EXPIRY_INTERVAL_MS = 60_000;

/** Everything the API runs on besides Nest: store, provider, key operations, authenticator. */
export interface ApiRuntime {
  readonly store: EventStore;
  readonly provider: KmsProvider;
  readonly ops: KeyOperations;
  readonly authenticator: Authenticator;
  readonly telemetry: ForwardingTelemetry;
  readonly kmsProbe: KmsHealthProbe;
  readonly eventStoreProbe: EventStoreHealthProbe;
  close(): Promise<void>;
}


let tracer: Tracer | undefined;

/**
 * Key retrievals traced as `kms.retrieve_*` spans on the global tracer (a no-op until tracing is
 * set up). The tracer is looked up once, on the first retrieval (after `setupTracing`): a lookup
 * per call built a tracer object on every sign.
 */
const retrievalTracer: RetrievalTracer = (input, fn) => inRetrievalSpan((tracer ??= trace.getTracer('keyledger-api')), input, fn);

/**
 * Opens the store and provider (fail closed: REQUIRE_KMS refuses the local provider), composes
 * the key operations, replays the views and warms the cache. Then records every active break-glass
 * session whose emergency key did not survive the restart as key-lost, and expires sessions past
 * their ttl every minute. Resumes a rotate-all job whose owner stopped, and watches for one. `env`
 * holds the break-glass settings (BREAKGLASS_MIN_OUTAGE_MINUTES).
 */
export async function createApiRuntime(
  config: KeyledgerConfig,
  api: ApiConfig,
  log: { warn(message: string): void; announceToken(token: string, file: string): void },
  env: Readonly<Record<string, string | undefined>> = process.env,
  options: { readonly traced?: boolean } = {},
): Promise<ApiRuntime> {
  const breakGlass = loadBreakGlassConfig(env);
  const provider = await createKmsProvider(kmsProviderSettings(config, api, (m) => log.warn(m)));
  const telemetry = new ForwardingTelemetry();
  // Every append the API makes is timed (eventstore_append_seconds{store}).
  const store = new TimedEventStore(
    openEventStore(
      config.eventStore === 'embedded' ? { kind: 'embedded', dataDir: config.dataDir } : { kind: 'esdb', connectionString: process.env.EVENTSTORE_CONNECTION_STRING },
    ),
    config.eventStore,
    (name, seconds) => telemetry.eventstoreAppend(name, seconds),
  );
  const readModels = new SqliteReadModels(config.viewsFile, { cacheSize: config.viewsCacheSize });
  const ops = createKeyOperations({
    readModels,
    onViewsError: (error) => log.warn(`the status views stopped folding: ${(error as Error).message}`),
    store,
    provider,
    clock: { now: () => new Date() },
    ids: { next: () => randomUUID() },
    telemetry,
    // Untraced when no tracer provider is registered: the no-op span machinery cost ~2% of a sign.
    tracer: options.traced === false ? undefined : retrievalTracer,
    policyOptions: (name) => resiliencePolicyOptionsFromEnv(name, process.env),
    cache: { maxSize: api.cacheMaxSize, privateTtlMs: api.cachePrivateTtlMinutes * 60_000, publicTtlMs: api.cachePublicTtlHours * 3_600_000 },
    instance: `keyledger-api@${hostname()}:${process.pid}`,
    providerWarning: provider.kind === 'local' ? LOCAL_KMS_WARNING : null,
    followSigners: true,
    breakGlass: {
      minOutageMinutes: breakGlass.minOutageMinutes,
      requestTtlMinutes: config.breakGlassRequestTtlMinutes,
      outageLeaseMs: config.breakGlassOutageLeaseSeconds * 1000,
    },
    onProviderSwitchError: (error) =>
      log.warn(`a key was disabled in keyledger, which refuses it, but the provider did not switch it off (${(error as { code?: string }).code ?? 'error'}); the next enable sets it right`),
    rotationJobs: { maxPerMinute: api.rotationMaxPerMinute, onError: (error) => log.warn(`rotate-all job: ${(error as Error).message}`) },
  });
  await ops.start(api.cacheWarmCount);
  // A rotate-all job whose owner stopped (this process before a restart, or another instance) goes on here.
  await ops.rotationJobs.resumeAbandoned().catch((error: unknown) => log.warn(`could not resume the rotate-all job: ${(error as Error).message}`));
  ops.rotationJobs.watch();
  const lost = await ops.breakGlass.recordLostKeys().catch((error: unknown) => {
    log.warn(`could not record lost break-glass keys: ${(error as Error).message}`);
    return [];
  });
  if (lost.length > 0) log.warn(`break-glass sessions ${lost.join(', ')} lost their emergency key in the restart; they cannot sign, request a new session`);
  const expiry = setInterval(() => void ops.breakGlass.expireBreakGlassSessions(new Date()).catch(() => undefined), BREAK_GLASS_EXPIRY_INTERVAL_MS);
  expiry.unref();
  const authenticator = await createAuthenticator(config, api, (token, file) => log.announceToken(token, file));
  return {
    store,
    provider,
    ops,
    authenticator,
    telemetry,
    kmsProbe: {
      provider: provider.kind,
      check: async () => {
        const health = await provider.healthProbe();
        if (health.status === 'down') throw new Error(`${health.code}: ${health.reason}`);
      },
    },
    eventStoreProbe: { store: config.eventStore, check: () => ops.views.readiness(config.viewsMaxLagEvents) },
    async close() {
      clearInterval(expiry);
      await ops.stop();
      readModels.close();
      await store.close();
      await provider.close();
    },
  };
}
