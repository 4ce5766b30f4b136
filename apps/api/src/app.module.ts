import { Module, type DynamicModule, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import {
  EVENTSTORE_HEALTH_PROBE,
  HealthIndicatorsModule,
  KMS_HEALTH_PROBE,
  MetricsModule,
  TracingModule,
  loggerParams,
  type EventStoreHealthProbe,
  type HealthOptions,
  type KmsHealthProbe,
} from '@keyledger/observability';
import type { ApiConfig, KeyledgerConfig } from '@keyledger/runtime';
import { AdminController, ADMIN_STATUS_EXTRA } from './admin/admin.controller';
import { AuditController } from './audit/audit.controller';
import { auditProviders } from './audit/audit.providers';
import { TlogController } from './audit/tlog.controller';
import { AUTHENTICATOR, AuthGuard, EXTRA_PUBLIC_PREFIXES } from './auth/auth.guard';
import { BreakGlassController } from './break-glass/break-glass.controller';
import type { ApiRuntime } from './composition/api-runtime';
import { BATCH_SETTINGS, batchSettingsOf } from './crypto/batch-answer';
import { CryptoController } from './crypto/crypto.controller';
import { HealthController } from './health/health.controller';
import { TenantRateLimiter } from './http/rate-limiter';
import { KeysController } from './keys/keys.controller';
import { KEY_OPERATIONS, TenantAccess } from './keys/tenant-access';
import type { ApiObservabilityConfig } from './observability/observability.config';
import { unwiredEventStoreProbe, unwiredKmsProbe } from './observability/unwired-probes';

/** What the API is composed from; the probes and log destination are replaceable for tests and later adapters. */
export interface ApiModuleOptions {
  readonly config: KeyledgerConfig;
  readonly observability: ApiObservabilityConfig;
  readonly kmsProbe?: KmsHealthProbe;
  readonly eventStoreProbe?: EventStoreHealthProbe;
  /** Extra providers for the health module, e.g. `KMS_BREAKER_OPEN`. */
  readonly healthProviders?: Provider[];
  readonly health?: HealthOptions;
  readonly logDestination?: DestinationStream;
  /** The key operations and their adapters; without it only health and metrics are served. */
  readonly runtime?: ApiRuntime;
  readonly api?: ApiConfig;
}

const RUNTIME = Symbol.for('keyledger.API_RUNTIME');

/** Closes the store and provider when the app closes. */
class RuntimeCloser implements OnApplicationShutdown {
  constructor(private readonly runtime: ApiRuntime | undefined) {}
  async onApplicationShutdown(): Promise<void> {
    await this.runtime?.close();
  }
}

function keyProviders(options: ApiModuleOptions): Provider[] {
  const runtime = options.runtime;
  if (!runtime || !options.api) return [];
  const api = options.api;
  return [
    { provide: KEY_OPERATIONS, useValue: runtime.ops },
    { provide: AUTHENTICATOR, useValue: runtime.authenticator },
    { provide: EXTRA_PUBLIC_PREFIXES, useValue: api.tlogPublic ? ['/tlog'] : [] },
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: TenantRateLimiter, useValue: new TenantRateLimiter(api.rateLimitPerSecond, api.rateLimitBurst) },
    { provide: BATCH_SETTINGS, useValue: batchSettingsOf(api) },
    { provide: ADMIN_STATUS_EXTRA, useValue: { event_store_kind: options.config.eventStore, require_kms: options.config.requireKms } },
    TenantAccess,
  ];
}

/** Composition root of the API. */
@Module({})
export class AppModule {
  static register(options: ApiModuleOptions): DynamicModule {
    const { config, runtime } = options;
    return {
      module: AppModule,
      imports: [
        // No per-request middleware (forRoutes: []): the access log is a Fastify hook (registerAccessLog).
        LoggerModule.forRoot({
          ...loggerParams({ level: config.logLevel, app: 'keyledger-api', destination: options.logDestination }),
          forRoutes: [],
        }),
        MetricsModule.forRoot({ tenantLabel: options.observability.tenantLabel }),
        TracingModule.forRoot(),
        HealthIndicatorsModule.register({
          probes: [
            { provide: KMS_HEALTH_PROBE, useValue: options.kmsProbe ?? runtime?.kmsProbe ?? unwiredKmsProbe(config.kmsProvider) },
            {
              provide: EVENTSTORE_HEALTH_PROBE,
              useValue: options.eventStoreProbe ?? runtime?.eventStoreProbe ?? unwiredEventStoreProbe(config.eventStore),
            },
            ...(options.healthProviders ?? []),
          ],
          options: options.health,
        }),
      ],
      controllers: runtime ? [HealthController, KeysController, CryptoController, AdminController, BreakGlassController, AuditController, TlogController] : [HealthController],
      providers: [...keyProviders(options), ...auditProviders(runtime, { public: options.api?.tlogPublic ?? true }), { provide: RUNTIME, useFactory: () => new RuntimeCloser(runtime) }],
    };
  }
}
