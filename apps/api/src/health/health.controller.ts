import { Controller, Get, HttpCode } from '@nestjs/common';
import { HealthCheck, HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import { EventStoreHealthIndicator, KmsHealthIndicator } from '@keyledger/observability';

/**
 * Liveness: the process is up and serving HTTP. Readiness: the KMS provider and the event
 * store answer (200 with details, or 503 naming what is down).
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly kms: KmsHealthIndicator,
    private readonly eventStore: EventStoreHealthIndicator,
  ) {}

  @Get('live')
  @HttpCode(200)
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    return this.health.check([() => this.kms.isHealthy('kms'), () => this.eventStore.isHealthy('eventstore')]);
  }
}
