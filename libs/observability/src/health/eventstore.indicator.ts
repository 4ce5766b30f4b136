import { Inject, Injectable, Optional } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { CachedProbe } from './cached-probe';
import type { HealthOptions } from './kms.indicator';
import { EVENTSTORE_HEALTH_PROBE, HEALTH_OPTIONS, type EventStoreHealthProbe, type EventStoreProbeResult } from './probes';

/**
 * The `eventstore` readiness check: store, `reachable` and `projection_lag`. Down when the store
 * does not answer, or when lag exceeds `maxProjectionLag` if one is configured.
 */
@Injectable()
export class EventStoreHealthIndicator {
  private readonly cached: CachedProbe<EventStoreProbeResult>;
  private readonly maxLag: number;

  constructor(
    private readonly health: HealthIndicatorService,
    @Inject(EVENTSTORE_HEALTH_PROBE) private readonly probe: EventStoreHealthProbe,
    @Optional() @Inject(HEALTH_OPTIONS) options?: HealthOptions,
  ) {
    this.cached = new CachedProbe(() => probe.check(), options ?? {});
    this.maxLag = options?.maxProjectionLag ?? Number.POSITIVE_INFINITY;
  }

  async isHealthy(key = 'eventstore'): Promise<HealthIndicatorResult> {
    const check = this.health.check(key);
    const store = this.probe.store;
    const outcome = await this.cached.get();
    const latency_ms = Math.round(outcome.latencyMs);
    if (!outcome.ok) return check.down({ store, reachable: false, latency_ms, error: outcome.error });
    const projection_lag = outcome.value.projectionLag;
    if (projection_lag > this.maxLag) {
      return check.down({ store, reachable: true, latency_ms, projection_lag, error: `projection lag above ${this.maxLag} events` });
    }
    return check.up({ store, reachable: true, latency_ms, projection_lag });
  }
}
