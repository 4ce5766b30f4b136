import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import { EventStoreHealthIndicator, KmsHealthIndicator } from '@keyledger/observability';

/** Readiness of the scheduler: its KMS provider and event store answer (200 with details, or 503 naming what is down). */
@Controller('health')
export class ReadyController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly kms: KmsHealthIndicator,
    private readonly eventStore: EventStoreHealthIndicator,
  ) {}

  @Get('ready')
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    return this.health.check([() => this.kms.isHealthy('kms'), () => this.eventStore.isHealthy('eventstore')]);
  }
}
