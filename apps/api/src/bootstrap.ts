import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { KeyledgerConfig } from '@keyledger/runtime';
import { AppModule } from './app.module';

/** Builds the API on Fastify and starts listening; the caller owns closing it. */
export async function startApi(config: KeyledgerConfig): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, new FastifyAdapter({ bodyLimit: 1024 * 1024 }), {
    logger: config.logLevel === 'silent' ? false : undefined,
  });
  await app.listen({ port: config.port, host: config.host });
  return app;
}
