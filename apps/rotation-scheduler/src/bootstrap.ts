import 'reflect-metadata';
import type { IncomingMessage } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { KEY_STATUS_PROJECTION, KmsMetrics, resolveRequestId } from '@keyledger/observability';
import { loadApiConfig, loadSchedulerConfig, type KeyledgerConfig } from '@keyledger/runtime';
import { createSchedulerRuntime, type SchedulerRuntime } from './composition/scheduler-runtime';
import { AuditCheckpointJob } from './jobs/audit-checkpoint-job';
import { SchedulerJobs } from './jobs/scheduler-jobs';
import { loadSchedulerObservabilityConfig, type SchedulerObservabilityConfig } from './observability/observability.config';
import { SchedulerModule, type SchedulerModuleOptions } from './scheduler.module';

/** Optional parts of the composition; see `SchedulerModuleOptions`. */
export type SchedulerOverrides = Partial<Omit<SchedulerModuleOptions, 'config' | 'observability'>> & {
  readonly observability?: Partial<SchedulerObservabilityConfig>;
  /** Serve /metrics and health only, without store, provider or jobs. */
  readonly withoutRuntime?: boolean;
  /** Do not listen on SCHEDULER_PORT (`--once`). */
  readonly noHttp?: boolean;
};

async function runtimeFor(config: KeyledgerConfig, overrides: SchedulerOverrides): Promise<SchedulerRuntime | undefined> {
  if (overrides.runtime || overrides.withoutRuntime) return overrides.runtime;
  return createSchedulerRuntime(config, loadApiConfig(), (m) => process.stderr.write(`keyledger-scheduler: WARNING: ${m}\n`));
}

/**
 * Starts the scheduler: its jobs, plus a small HTTP server for /metrics, /health/live and
 * /health/ready on SCHEDULER_PORT (the API owns PORT). The caller owns closing it.
 */
export async function startScheduler(config: KeyledgerConfig, overrides: SchedulerOverrides = {}): Promise<NestFastifyApplication> {
  const observability = { ...loadSchedulerObservabilityConfig(), ...overrides.observability };
  const scheduler = overrides.scheduler ?? loadSchedulerConfig();
  const runtime = await runtimeFor(config, overrides);
  const module = SchedulerModule.register({ ...overrides, config, observability, scheduler, runtime });
  const adapter = new FastifyAdapter({ genReqId: (req: IncomingMessage) => resolveRequestId(req.headers['x-request-id']) });
  try {
    const app = await NestFactory.create<NestFastifyApplication>(module, adapter, { bufferLogs: true, abortOnError: false });
    app.useLogger(app.get(Logger));
    app.flushLogs();
    if (runtime) {
      const metrics = app.get(KmsMetrics);
      runtime.telemetry.target = metrics;
      metrics.sampleAtScrape({ projectionLag: async () => ({ [KEY_STATUS_PROJECTION]: await runtime.ops.views.lag() }) });
    }
    if (overrides.noHttp) await app.init();
    else await app.listen({ port: observability.httpPort, host: config.host });
    return app;
  } catch (error) {
    await runtime?.close().catch(() => undefined);
    throw error;
  }
}

/**
 * `--once`: runs every job one time (rotation, key deletion, break-glass expiry, then an audit
 * checkpoint over what they appended) and closes.
 * Resolves the process exit code: 0 when every job succeeded, 1 otherwise.
 */
export async function runOnce(config: KeyledgerConfig, overrides: SchedulerOverrides = {}): Promise<0 | 1> {
  const app = await startScheduler(config, { ...overrides, once: true, noHttp: overrides.noHttp ?? true });
  try {
    const ok = await app.get(SchedulerJobs).runAll();
    const audited = await app.get(AuditCheckpointJob).run();
    return ok && audited ? 0 : 1;
  } finally {
    await app.close();
  }
}
