import { Module, type DynamicModule, type Provider } from '@nestjs/common';
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
import type { KeyledgerConfig } from '@keyledger/runtime';
import { HealthController } from './health/health.controller';
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
}

/** Composition root of the API. */
@Module({})
export class AppModule {
  static register(options: ApiModuleOptions): DynamicModule {
    const { config } = options;
    return {
      module: AppModule,
      imports: [
        LoggerModule.forRoot(loggerParams({ level: config.logLevel, app: 'keyledger-api', destination: options.logDestination })),
        MetricsModule.forRoot({ tenantLabel: options.observability.tenantLabel }),
        TracingModule.forRoot(),
        HealthIndicatorsModule.register({
          probes: [
            { provide: KMS_HEALTH_PROBE, useValue: options.kmsProbe ?? unwiredKmsProbe(config.kmsProvider) },
            { provide: EVENTSTORE_HEALTH_PROBE, useValue: options.eventStoreProbe ?? unwiredEventStoreProbe(config.eventStore) },
            ...(options.healthProviders ?? []),
          ],
          options: options.health,
        }),
      ],
      controllers: [HealthController],
    };
  }
}
