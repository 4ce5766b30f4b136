import 'reflect-metadata';
import type { IncomingMessage } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { resolveRequestId } from '@keyledger/observability';
import type { KeyledgerConfig } from '@keyledger/runtime';
import { loadSchedulerObservabilityConfig, type SchedulerObservabilityConfig } from './observability/observability.config';
import { SchedulerModule, type SchedulerModuleOptions } from './scheduler.module';

/** Optional parts of the composition; see `SchedulerModuleOptions`. */
export type SchedulerOverrides = Partial<Omit<SchedulerModuleOptions, 'config' | 'observability'>> & {
  readonly observability?: Partial<SchedulerObservabilityConfig>;
};

/**
 * Starts the scheduler: its jobs, plus a small HTTP server for /metrics and /health/live on
 * SCHEDULER_PORT (the API owns PORT). The caller owns closing it.
 */
export async function startScheduler(config: KeyledgerConfig, overrides: SchedulerOverrides = {}): Promise<NestFastifyApplication> {
  const observability = { ...loadSchedulerObservabilityConfig(), ...overrides.observability };
  const module = SchedulerModule.register({ config, observability, logDestination: overrides.logDestination });
  const adapter = new FastifyAdapter({ genReqId: (req: IncomingMessage) => resolveRequestId(req.headers['x-request-id']) });
  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.flushLogs();
  await app.listen({ port: observability.httpPort, host: config.host });
  return app;
}
