import { ApiError } from './api-error';

/** Per-tenant token buckets: `perSecond` refill, `burst` capacity; 0 per second disables the limit. */
export class TenantRateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Takes one token for `tenantId` or throws 429 RATE_LIMITED with the wait until the next token. */
  take(tenantId: string): void {
    if (this.perSecond <= 0) return;
    const now = this.now();
    const bucket = this.buckets.get(tenantId) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond);
    bucket.at = now;
    this.buckets.set(tenantId, bucket);
    if (bucket.tokens < 1) {
      throw new ApiError('RATE_LIMITED', `Tenant ${tenantId} is over its rate limit of ${this.perSecond} requests per second`, ((1 - bucket.tokens) / this.perSecond) * 1000);
    }
    bucket.tokens -= 1;
  }
}
