import { Inject, Injectable } from '@nestjs/common';
import { KeyNotFoundError } from '@keyledger/kms-domain';
import type { KeyOperations } from '@keyledger/key-operations';
import { reachesTenant, requireRole, type Principal, type Role } from '../auth/principal';
import { TenantRateLimiter } from '../http/rate-limiter';

export const KEY_OPERATIONS = Symbol.for('keyledger.KEY_OPERATIONS');

/** Role sets of the routes. */
export const READERS: readonly Role[] = ['client', 'key-admin', 'auditor'];
export const KEY_ADMINS: readonly Role[] = ['key-admin'];
export const CLIENTS: readonly Role[] = ['client'];
export const ADMINS: readonly Role[] = ['admin'];

/**
 * Role check, tenant isolation and rate limit in one place. A key of a tenant the token does not
 * reach is reported exactly as a key that does not exist (404 KEY_NOT_FOUND).
 */
@Injectable()
export class TenantAccess {
  constructor(
    @Inject(KEY_OPERATIONS) private readonly ops: KeyOperations,
    private readonly limiter: TenantRateLimiter,
  ) {}

  /** The tenant owning `keyId`, after the role, tenant and rate checks; a batch costs one token per item (`cost`). */
  forKey(principal: Principal, keyId: string, roles: readonly Role[], cost = 1): string {
    requireRole(principal, roles);
    const tenantId = this.ops.views.models.keys.tenantOf(keyId);
    if (tenantId === undefined || !reachesTenant(principal, tenantId)) throw new KeyNotFoundError({ tenantId: '-', keyId });
    this.limiter.take(tenantId, cost);
    return tenantId;
  }

  /** Checks a tenant named in the request (404 when out of reach). */
  forTenant(principal: Principal, tenantId: string, roles: readonly Role[]): string {
    requireRole(principal, roles);
    if (!reachesTenant(principal, tenantId)) throw new KeyNotFoundError({ tenantId, keyId: '*' });
    this.limiter.take(tenantId);
    return tenantId;
  }
}
