import { Inject, Injectable, Optional } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { CachedProbe, type ProbeCacheOptions } from './cached-probe';
import { HEALTH_OPTIONS, KMS_BREAKER_OPEN, KMS_HEALTH_PROBE, type BreakerOpenPredicate, type KmsHealthProbe } from './probes';

/** Options shared by the readiness indicators. */
export interface HealthOptions extends ProbeCacheOptions {
  /** Projection lag (events) above which the event store check is down; unbounded when unset. */
  readonly maxProjectionLag?: number;
}

/**
 * The `kms` readiness check: provider, `latency_ms` and status. Down when the probe fails or
 * times out, or when the breaker is open (then the provider is not probed at all).
 */
@Injectable()
export class KmsHealthIndicator {
  private readonly cached: CachedProbe<void>;

  constructor(
    private readonly health: HealthIndicatorService,
    @Inject(KMS_HEALTH_PROBE) private readonly probe: KmsHealthProbe,
    @Optional() @Inject(KMS_BREAKER_OPEN) private readonly breakerOpen?: BreakerOpenPredicate,
    @Optional() @Inject(HEALTH_OPTIONS) options?: HealthOptions,
  ) {
    this.cached = new CachedProbe(() => probe.check(), options ?? {});
  }

  async isHealthy(key = 'kms'): Promise<HealthIndicatorResult> {
    const check = this.health.check(key);
    const provider = this.probe.provider;
    if (this.breakerOpen?.() === true) {
      return check.down({ provider, latency_ms: 0, state: 'breaker-open', error: 'circuit breaker is open; provider not probed' });
    }
    const outcome = await this.cached.get();
    const latency_ms = Math.round(outcome.latencyMs);
    if (outcome.ok) return check.up({ provider, latency_ms, state: 'operational' });
    return check.down({ provider, latency_ms, state: 'unavailable', error: outcome.error });
  }
}
