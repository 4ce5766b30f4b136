import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import type { KeyledgerConfig } from '@keyledger/runtime';
import { SchedulerModule } from './scheduler.module';

/** Starts the scheduler as a Nest application context (no HTTP); the caller owns closing it. */
export async function startScheduler(config: KeyledgerConfig): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(SchedulerModule, {
    logger: config.logLevel === 'silent' ? false : undefined,
  });
  await app.init();
  return app;
}
