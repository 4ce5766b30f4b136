import { Module, type DynamicModule } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { MetricsModule, TracingModule, loggerParams } from '@keyledger/observability';
import type { KeyledgerConfig } from '@keyledger/runtime';
import { LiveController } from './health/live.controller';
import type { SchedulerObservabilityConfig } from './observability/observability.config';

/** What the scheduler is composed from. */
export interface SchedulerModuleOptions {
  readonly config: KeyledgerConfig;
  readonly observability: SchedulerObservabilityConfig;
  readonly logDestination?: DestinationStream;
}

/** Composition root of the scheduler. Its jobs (rotation, deletions, expiry, checkpoints) register here. */
@Module({})
export class SchedulerModule {
  static register(options: SchedulerModuleOptions): DynamicModule {
    return {
      module: SchedulerModule,
      imports: [
        ScheduleModule.forRoot(),
        LoggerModule.forRoot(loggerParams({ level: options.config.logLevel, app: 'keyledger-scheduler', destination: options.logDestination })),
        MetricsModule.forRoot({ tenantLabel: options.observability.tenantLabel }),
        TracingModule.forRoot(),
      ],
      controllers: [LiveController],
    };
  }
}
