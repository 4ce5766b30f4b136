import { Module, type DynamicModule, type ModuleMetadata, type Provider } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { EventStoreHealthIndicator } from './eventstore.indicator';
import { KmsHealthIndicator, type HealthOptions } from './kms.indicator';
import { HEALTH_OPTIONS } from './probes';

/** What an app hands `HealthIndicatorsModule.register`. */
export interface HealthIndicatorsModuleOptions {
  /**
   * Providers for `KMS_HEALTH_PROBE` and `EVENTSTORE_HEALTH_PROBE` (and optionally
   * `KMS_BREAKER_OPEN`); the provider and event-store modules supply the real ones.
   */
  readonly probes: Provider[];
  readonly imports?: ModuleMetadata['imports'];
  readonly options?: HealthOptions;
}

/** Terminus plus the kms and eventstore indicators, wired to the probes the app supplies. */
@Module({})
export class HealthIndicatorsModule {
  static register(config: HealthIndicatorsModuleOptions): DynamicModule {
    return {
      module: HealthIndicatorsModule,
      imports: [TerminusModule.forRoot({ logger: false }), ...(config.imports ?? [])],
      providers: [...config.probes, { provide: HEALTH_OPTIONS, useValue: config.options ?? {} }, KmsHealthIndicator, EventStoreHealthIndicator],
      exports: [TerminusModule, KmsHealthIndicator, EventStoreHealthIndicator],
    };
  }
}
