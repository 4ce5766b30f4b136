import 'reflect-metadata';
import type { IncomingMessage } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { resolveRequestId } from '@keyledger/observability';
import type { KeyledgerConfig } from '@keyledger/runtime';
import { AppModule, type ApiModuleOptions } from './app.module';
import { loadObservabilityConfig } from './observability/observability.config';

/** Optional parts of the composition (probes, log destination); see `ApiModuleOptions`. */
export type ApiOverrides = Partial<Omit<ApiModuleOptions, 'config'>>;

/** Builds the API on Fastify and starts listening; the caller owns closing it. */
export async function startApi(config: KeyledgerConfig, overrides: ApiOverrides = {}): Promise<NestFastifyApplication> {
  const module = AppModule.register({ config, observability: overrides.observability ?? loadObservabilityConfig(), ...overrides });
  const adapter = new FastifyAdapter({ bodyLimit: 1024 * 1024, genReqId: (req: IncomingMessage) => resolveRequestId(req.headers['x-request-id']) });
  adapter.getInstance().addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    done();
  });
  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.flushLogs();
  await app.listen({ port: config.port, host: config.host });
  return app;
}
