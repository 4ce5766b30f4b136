import { Controller, Get, Optional } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService, type HealthCheckResult, type HealthIndicatorResult } from '@nestjs/terminus';
import { EventStoreHealthIndicator, KmsHealthIndicator } from '@keyledger/observability';
import { AuditCheckpointJob } from '../jobs/audit-checkpoint-job';

/**
 * Readiness of the scheduler: its KMS provider and event store answer (200 with details, or 503
 * naming what is down). With AUDIT_WITNESSES, `audit-witnesses` details each witness's last
 * cosigning result; it is always up, since a witness that is down delays nothing but its own
 * cosignature.
 */
@Controller('health')
export class ReadyController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly kms: KmsHealthIndicator,
    private readonly eventStore: EventStoreHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    @Optional() private readonly audit?: AuditCheckpointJob,
  ) {}

  @Get('ready')
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    const checks = [() => this.kms.isHealthy('kms'), () => this.eventStore.isHealthy('eventstore')];
    const witnesses = this.audit?.witnessStatus();
    if (witnesses !== undefined && witnesses.size > 0) checks.push(async () => this.witnessDetails(witnesses));
    return this.health.check(checks);
  }

  private witnessDetails(results: ReturnType<AuditCheckpointJob['witnessStatus']>): HealthIndicatorResult {
    const details: Record<string, string> = {};
    for (const [name, r] of results) details[name] = r.status === 'failed' ? `failed: ${r.reason} at size ${r.treeSize}` : `${r.status} at size ${r.treeSize}`;
    return this.indicators.check('audit-witnesses').up({ witnesses: details });
  }
}
