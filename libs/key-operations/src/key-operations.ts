import { KEY_EVENT_TYPES, hasEventType, type KeyledgerEvent, type ReadModels } from '@keyledger/kms-domain';
import { defaultResiliencePolicyOptions, type ResilienceHooks, type ResiliencePolicyOptions } from '@keyledger/resilience';
import { AdminOperations } from './admin/admin-operations';
import { BreakerTransitionRecorder } from './admin/breaker-recorder';
import { BreakGlassOperations, type BreakGlassTelemetry } from './break-glass/break-glass-operations';
import { isEmergencyKeyHsm, type EmergencyKeyCustody } from './break-glass/emergency-keys';
import { HsmEmergencyKeys } from './break-glass/hsm-emergency-keys';
import { MemoryEmergencyKeys } from './break-glass/memory-emergency-keys';
import { SigningFreezeOperations } from './admin/signing-freeze-operations';
import { DEFAULT_KEY_CACHE, KeyCache } from './cache/key-cache';
import { CryptoOperations } from './crypto/crypto-operations';
import { JwtOperations } from './crypto/jwt';
import { MAC_BATCH_OPERATIONS, countBatchItems } from './crypto/batch-metrics';
import { MacOperations } from './crypto/mac-operations';
import { KeyRetrieval } from './crypto/key-retrieval';
import { PublicKeys } from './crypto/public-keys';
import { noTelemetry, type KeyOperationsPorts, type KeyOperationsTelemetry, type ProviderTracer, type RetrievalTracer } from './deps';
import { KeyLifecycle } from './keys/key-lifecycle-operations';
import { ProviderGateway, type BreakerName } from './provider/provider-gateway';
import { KeyRotation } from './rotation/rotation-run';
import { RotationJobs, type RotationJobsSettings } from './rotation-jobs/rotation-jobs';
import { Signers } from './signers/signers';
import { KeyViews } from './views/key-views';
import { instrumentOperations } from './operation-metrics';

/** Events after which a key's cached material must go, on every instance. */
export const INVALIDATING_EVENTS: ReadonlySet<string> = new Set<(typeof KEY_EVENT_TYPES)[number]>([
  'KeyRotated',
  'KeyDisabled',
  'KeyDeletionScheduled',
  'KeyDestroyed',
  'KeyMinDecryptionVersionSet',
  'KeyMinEncryptionVersionSet',
  'KeyVersionsTrimmed',
]);

export interface KeyOperationsOptions extends KeyOperationsPorts {
  /** Where the status views live (SQLite in the apps; `InMemoryReadModels` in unit tests). */
  readonly readModels: ReadModels;
  /** Called when the views stop folding (fail-stop). */
  readonly onViewsError?: (error: unknown) => void;
  readonly cache?: { readonly maxSize?: number; readonly privateTtlMs?: number; readonly publicTtlMs?: number };
  readonly policyOptions?: (name: BreakerName) => ResiliencePolicyOptions;
  readonly resilienceHooks?: Omit<ResilienceHooks, 'onTransition'>;
  readonly telemetry?: KeyOperationsTelemetry;
  readonly tracer?: RetrievalTracer;
  /** Traces provider calls (`kms.provider.<operation>`, children of the retrieval or request span). */
  readonly providerTracer?: ProviderTracer;
  /** Name of this process in breaker transition events. */
  readonly instance?: string;
  /** Shown by the status endpoint (the local provider's warning). */
  readonly providerWarning?: string | null;
  readonly onBackgroundError?: (error: unknown) => void;
  /**
   * A disable went through although the provider could not switch the key off inside itself
   * (PKCS#11 CKA_SIGN); keyledger refuses the key all the same. Defaults to onBackgroundError.
   */
  readonly onProviderSwitchError?: (error: unknown) => void;
  /**
   * Keep the signer registry in step with the keys (register every signing key version, retire a
   * destroyed key's signers). The API sets it; other processes leave it to the API.
   */
  readonly followSigners?: boolean;
  /** Rotate-all jobs: pacing (KMS_ROTATION_MAX_PER_MINUTE), lease, progress interval; the owner name defaults to `instance`. */
  readonly rotationJobs?: RotationJobsSettings;
  /** Break-glass: emergency key custody (default: the HSM when the provider is one, else memory) and settings. */
  readonly breakGlass?: {
    readonly custody?: EmergencyKeyCustody;
    readonly minOutageMinutes?: number;
    readonly requestTtlMinutes?: number;
    /** How long a recorded outage counts after its instance last confirmed it; this process renews its own every third of it. */
    readonly outageLeaseMs?: number;
    readonly telemetry?: BreakGlassTelemetry;
  };
}

/** Everything the apps call, composed on the injected ports. */
export interface KeyOperations {
  readonly lifecycle: KeyLifecycle;
  readonly crypto: CryptoOperations;
  /** HMAC on `mac` keys. */
  readonly mac: MacOperations;
  /** Compact JWS / JWT signing and verification on signing keys. */
  readonly jwt: JwtOperations;
  readonly publicKeys: PublicKeys;
  readonly admin: AdminOperations;
  readonly freeze: SigningFreezeOperations;
  readonly cache: KeyCache;
  readonly views: KeyViews;
  readonly gateway: ProviderGateway;
  readonly breakerRecorder: BreakerTransitionRecorder;
  /** The signer registry: key-version and break-glass signers. */
  readonly signers: Signers;
  readonly breakGlass: BreakGlassOperations;
  /** The rotate-all jobs (the API watches for abandoned ones with `watch()`). */
  readonly rotationJobs: RotationJobs;
  /** Replays the views, wires cache invalidation, then warms the cache with `warmCount` keys. */
  start(warmCount?: number): Promise<void>;
  stop(): Promise<void>;
}

/** Composes the key operations; call `start()` before serving. */
export function createKeyOperations(options: KeyOperationsOptions): KeyOperations {
  const telemetry = options.telemetry ?? noTelemetry;
  const ports: KeyOperationsPorts = { store: options.store, provider: options.provider, clock: options.clock, ids: options.ids };
  const gateway = new ProviderGateway({
    provider: options.provider,
    policyOptions: options.policyOptions ?? defaultResiliencePolicyOptions,
    telemetry,
    hooks: options.resilienceHooks,
    tracer: options.providerTracer,
  });
  const cache = new KeyCache({ ...DEFAULT_KEY_CACHE, ...options.cache, telemetry, tracer: options.tracer });
  const views = new KeyViews(options.store, options.readModels, { onError: options.onViewsError });
  const retrieval = new KeyRetrieval(ports, gateway, cache);
  const lifecycle = new KeyLifecycle(ports, gateway, views, options.onProviderSwitchError ?? options.onBackgroundError);
  const freeze = new SigningFreezeOperations(ports, views);
  const rotationJobs = new RotationJobs(ports, views, new KeyRotation(ports, views, lifecycle), {
    instance: options.instance ?? 'keyledger',
    onError: options.onBackgroundError,
    ...options.rotationJobs,
  });
  const admin = new AdminOperations(ports, gateway, views, retrieval, rotationJobs, freeze, options.providerWarning ?? null);
  const breakerRecorder = new BreakerTransitionRecorder(ports, options.instance ?? 'keyledger', views.models.breakers, {
    leaseMs: options.breakGlass?.outageLeaseMs,
    onError: options.onBackgroundError,
  });
  gateway.onTransition((t) => breakerRecorder.enqueue(t));
  const unsubscribe = views.onEvent((_recorded, event) => invalidateOn(cache, event));
  const signers = new Signers(ports, views, retrieval, options.onBackgroundError);
  const custody = options.breakGlass?.custody ?? (isEmergencyKeyHsm(options.provider) ? new HsmEmergencyKeys(options.provider) : new MemoryEmergencyKeys());
  const breakGlass = new BreakGlassOperations(ports, views, signers, { ...options.breakGlass, custody, onError: options.onBackgroundError });
  const crypto = new CryptoOperations(views, retrieval, gateway, signers);
  // A batch counts as its items in the operation metrics, whichever path called it.
  countBatchItems(crypto, telemetry);
  const mac = new MacOperations(views, retrieval);
  countBatchItems(mac, telemetry, MAC_BATCH_OPERATIONS);
  // Every operation's outcome is counted here, whichever path (HTTP route, CLI, job) called it.
  const instrumented = instrumentOperations(
    {
      crypto,
      mac,
      publicKeys: new PublicKeys(views, retrieval, options.clock, signers, (sessionId) => breakGlass.scopeOf(sessionId)),
      admin,
      breakGlass,
    },
    telemetry,
  );
  return {
    lifecycle,
    crypto: instrumented.crypto,
    mac: instrumented.mac,
    jwt: new JwtOperations(crypto, options.clock),
    publicKeys: instrumented.publicKeys,
    admin: instrumented.admin,
    freeze,
    cache,
    views,
    gateway,
    breakerRecorder,
    signers,
    breakGlass: instrumented.breakGlass,
    rotationJobs,
    async start(warmCount = 0) {
      await views.start();
      // Outages recorded by an earlier run of this instance (or a dead process on this host) end now.
      await breakerRecorder.start();
      if (options.followSigners) signers.follow();
      if (warmCount > 0) await admin.warmUp(warmCount);
    },
    async stop() {
      await rotationJobs.stop();
      unsubscribe();
      signers.stop();
      await signers.idle();
      if (custody instanceof MemoryEmergencyKeys) custody.destroyAll();
      // An outage this instance still holds ends with it (a stopped instance vouches for nothing).
      await breakerRecorder.stop();
      await views.stop();
      cache.clear();
    },
  };
}

function invalidateOn(cache: KeyCache, event: KeyledgerEvent | null): void {
  if (event === null || !INVALIDATING_EVENTS.has(event.type) || !hasEventType(event, KEY_EVENT_TYPES)) return;
  cache.invalidateKey(event.data.tenantId, event.data.keyId);
}
