import { Logger, Module, type DynamicModule, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import {
  EVENTSTORE_HEALTH_PROBE,
  HealthIndicatorsModule,
  KMS_BREAKER_OPEN,
  KMS_HEALTH_PROBE,
  KmsMetrics,
  MetricsModule,
  TracingModule,
  loggerParams,
} from '@keyledger/observability';
import type { KeyledgerConfig, SchedulerConfig } from '@keyledger/runtime';
import type { SchedulerRuntime } from './composition/scheduler-runtime';
import { LiveController } from './health/live.controller';
import { ReadyController } from './health/ready.controller';
import { AuditCheckpointJob } from './jobs/audit-checkpoint-job';
import { JobSchedule, SCHEDULER_SETTINGS } from './jobs/job-schedule';
import { SchedulerJobs, type JobLog } from './jobs/scheduler-jobs';
import type { SchedulerObservabilityConfig } from './observability/observability.config';

/** What the scheduler is composed from. */
export interface SchedulerModuleOptions {
  readonly config: KeyledgerConfig;
  readonly observability: SchedulerObservabilityConfig;
  readonly logDestination?: DestinationStream;
  /** Store, provider and use cases; without it only /metrics and the health routes are served. */
  readonly runtime?: SchedulerRuntime;
  readonly scheduler?: SchedulerConfig;
  /** `--once`: register no cron jobs (the caller runs them). */
  readonly once?: boolean;
  /** Test hook: the random source of the rotation jitter. */
  readonly random?: () => number;
}

/** Closes the runtime (store, provider) when the app closes. */
class RuntimeCloser implements OnApplicationShutdown {
  constructor(private readonly runtime: SchedulerRuntime | undefined) {}
  async onApplicationShutdown(): Promise<void> {
    await this.runtime?.close();
  }
}

const down = (what: string) => async (): Promise<never> => {
  throw new Error(`${what} not configured in this process`);
};

function nestLog(): JobLog {
  const logger = new Logger('SchedulerJobs');
  return { info: (msg, fields) => logger.log({ msg, ...fields }), error: (msg, fields) => logger.error({ msg, ...fields }) };
}

function jobProviders(options: SchedulerModuleOptions): Provider[] {
  const { runtime, scheduler } = options;
  if (!runtime || !scheduler) return [];
  const settings = {
    maxAgeDays: scheduler.rotationMaxAgeDays,
    maxPerMinute: scheduler.rotationMaxPerMinute,
    jitterRatio: scheduler.rotationJitterPercent / 100,
    random: options.random,
  };
  return [
    { provide: SCHEDULER_SETTINGS, useValue: { ...scheduler, once: options.once ?? false } },
    { provide: SchedulerJobs, inject: [KmsMetrics], useFactory: (metrics: KmsMetrics) => new SchedulerJobs(runtime, settings, metrics, nestLog()) },
    { provide: AuditCheckpointJob, inject: [KmsMetrics], useFactory: (metrics: KmsMetrics) => new AuditCheckpointJob(runtime.ports, nestLog(), scheduler.auditWitnesses, metrics) },
    JobSchedule,
  ];
}

/** Composition root of the scheduler: the jobs (rotation, deletions, break-glass expiry), metrics and health. */
@Module({})
export class SchedulerModule {
  static register(options: SchedulerModuleOptions): DynamicModule {
    const { runtime } = options;
    return {
      module: SchedulerModule,
      imports: [
        ScheduleModule.forRoot(),
        LoggerModule.forRoot(loggerParams({ level: options.config.logLevel, app: 'keyledger-scheduler', destination: options.logDestination })),
        MetricsModule.forRoot({ tenantLabel: options.observability.tenantLabel }),
        TracingModule.forRoot(),
        HealthIndicatorsModule.register({
          probes: [
            { provide: KMS_HEALTH_PROBE, useValue: runtime?.kmsProbe ?? { provider: options.config.kmsProvider, check: down('KMS provider') } },
            { provide: EVENTSTORE_HEALTH_PROBE, useValue: runtime?.eventStoreProbe ?? { store: options.config.eventStore, check: down('event store') } },
            { provide: KMS_BREAKER_OPEN, useValue: () => runtime?.ops.gateway.snapshots().some((s) => s.state === 'open') ?? false },
          ],
        }),
      ],
      controllers: [LiveController, ReadyController],
      providers: [...jobProviders(options), { provide: RuntimeCloser, useFactory: () => new RuntimeCloser(runtime) }],
    };
  }
}
