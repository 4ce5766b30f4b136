import { ApiError } from './api-error';

/** Per-tenant token buckets: `perSecond` refill, `burst` capacity; 0 per second disables the limit. */
export class TenantRateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /**
   * Takes `cost` tokens (one per request, one per item of a batch) for `tenantId` or throws 429
   * RATE_LIMITED with the wait until they are there. A cost above the burst can never be met: 400.
   */
  take(tenantId: string, cost = 1): void {
    if (this.perSecond <= 0) return;
    if (cost > this.burst) throw new ApiError('REQUEST_INVALID', `Invalid batch: ${cost} items are more than the tenant's rate-limit burst of ${this.burst}; send smaller batches`);
    const now = this.now();
    const bucket = this.buckets.get(tenantId) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond);
    bucket.at = now;
    this.buckets.set(tenantId, bucket);
    if (bucket.tokens < cost) {
      throw new ApiError('RATE_LIMITED', `Tenant ${tenantId} is over its rate limit of ${this.perSecond} requests per second`, ((cost - bucket.tokens) / this.perSecond) * 1000);
    }
    bucket.tokens -= cost;
  }
}
