import { KEY_EVENT_TYPES, decodeStreamId, type RecordedEvent } from '@keyledger/kms-domain';
import { defaultResiliencePolicyOptions, type ResilienceHooks, type ResiliencePolicyOptions } from '@keyledger/resilience';
import { AdminOperations } from './admin/admin-operations';
import { BreakerTransitionRecorder } from './admin/breaker-recorder';
import { SigningFreezeOperations } from './admin/signing-freeze-operations';
import { DEFAULT_KEY_CACHE, KeyCache } from './cache/key-cache';
import { CryptoOperations } from './crypto/crypto-operations';
import { KeyRetrieval } from './crypto/key-retrieval';
import { PublicKeys } from './crypto/public-keys';
import { noTelemetry, type KeyOperationsPorts, type KeyOperationsTelemetry, type RetrievalTracer } from './deps';
import { KeyLifecycle } from './keys/key-lifecycle-operations';
import { ProviderGateway, type BreakerName } from './provider/provider-gateway';
import { KeyViews } from './views/key-views';

/** Events after which a key's cached material must go, on every instance. */
export const INVALIDATING_EVENTS: ReadonlySet<string> = new Set<(typeof KEY_EVENT_TYPES)[number]>([
  'KeyRotated',
  'KeyDisabled',
  'KeyDeletionScheduled',
  'KeyDestroyed',
  'KeyMinDecryptionVersionSet',
]);

export interface KeyOperationsOptions extends KeyOperationsPorts {
  readonly cache?: { readonly maxSize?: number; readonly privateTtlMs?: number; readonly publicTtlMs?: number };
  readonly policyOptions?: (name: BreakerName) => ResiliencePolicyOptions;
  readonly resilienceHooks?: Omit<ResilienceHooks, 'onTransition'>;
  readonly telemetry?: KeyOperationsTelemetry;
  readonly tracer?: RetrievalTracer;
  /** Name of this process in breaker transition events. */
  readonly instance?: string;
  /** Shown by the status endpoint (the local provider's warning). */
  readonly providerWarning?: string | null;
  readonly onBackgroundError?: (error: unknown) => void;
}

/** Everything the apps call, composed on the injected ports. */
export interface KeyOperations {
  readonly lifecycle: KeyLifecycle;
  readonly crypto: CryptoOperations;
  readonly publicKeys: PublicKeys;
  readonly admin: AdminOperations;
  readonly freeze: SigningFreezeOperations;
  readonly cache: KeyCache;
  readonly views: KeyViews;
  readonly gateway: ProviderGateway;
  readonly breakerRecorder: BreakerTransitionRecorder;
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
  });
  const cache = new KeyCache({ ...DEFAULT_KEY_CACHE, ...options.cache, telemetry, tracer: options.tracer });
  const views = new KeyViews(options.store);
  const retrieval = new KeyRetrieval(ports, gateway, cache);
  const lifecycle = new KeyLifecycle(ports, gateway, views);
  const freeze = new SigningFreezeOperations(ports, views);
  const admin = new AdminOperations(ports, gateway, views, retrieval, lifecycle, freeze, options.providerWarning ?? null);
  const breakerRecorder = new BreakerTransitionRecorder(ports, options.instance ?? 'keyledger', options.onBackgroundError);
  gateway.onTransition((t) => breakerRecorder.enqueue(t));
  const unsubscribe = views.onEvent((event) => invalidateOn(cache, event));
  return {
    lifecycle,
    crypto: new CryptoOperations(views, retrieval, gateway),
    publicKeys: new PublicKeys(views, retrieval, options.clock),
    admin,
    freeze,
    cache,
    views,
    gateway,
    breakerRecorder,
    async start(warmCount = 0) {
      await views.start();
      if (warmCount > 0) await admin.warmUp(warmCount);
    },
    async stop() {
      unsubscribe();
      await breakerRecorder.flush();
      await views.stop();
      cache.clear();
    },
  };
}

function invalidateOn(cache: KeyCache, event: RecordedEvent): void {
  if (!INVALIDATING_EVENTS.has(event.type)) return;
  const data = event.data as { tenantId?: unknown; keyId?: unknown };
  if (typeof data.tenantId === 'string' && typeof data.keyId === 'string') cache.invalidateKey(data.tenantId, data.keyId);
  else cache.invalidateKey(...(decodeStreamId(event.streamName).split(':') as [string, string]));
}
