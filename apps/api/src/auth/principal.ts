import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../http/api-error';

export const ROLES = ['client', 'key-admin', 'admin', 'auditor', 'breakglass-requester', 'approver-security', 'approver-finance'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling: subject, roles and the tenants the token reaches (`*` for all). */
export interface Principal {
  readonly subject: string;
  readonly roles: readonly Role[];
  readonly tenants: readonly string[];
}

/** Refuses with 403 FORBIDDEN unless the principal holds one of `roles`. */
export function requireRole(principal: Principal, roles: readonly Role[]): void {
  if (!roles.some((r) => principal.roles.includes(r))) {
    throw new ApiError('FORBIDDEN', `This operation needs one of the roles: ${roles.join(', ')}`);
  }
}

/**
 * Refuses with 403 FORBIDDEN unless the token reaches every tenant (`*`): for operations that act
 * on, or show, all tenants at once (`what` names them in the message).
 */
export function requireAllTenants(principal: Principal, what: string): void {
  if (!principal.tenants.includes('*')) throw new ApiError('FORBIDDEN', `${what} spans every tenant: this needs a token for all tenants (*)`);
}

/** Whether the principal may reach `tenantId`; callers answer 404, not 403, so ids do not leak. */
export const reachesTenant = (principal: Principal, tenantId: string): boolean =>
  principal.tenants.includes('*') || principal.tenants.includes(tenantId);

type WithPrincipal = FastifyRequest & { principal?: Principal };

export function attachPrincipal(request: FastifyRequest, principal: Principal): void {
  (request as WithPrincipal).principal = principal;
}

/** The authenticated principal (set by the auth guard). */
export const CurrentPrincipal = createParamDecorator((_data: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<WithPrincipal>().principal;
  if (!principal) throw new ApiError('UNAUTHENTICATED', 'Send Authorization: Bearer <token>');
  return principal;
});

/** The principal when the guard authenticated one, else undefined (routes that may be public). */
export const OptionalPrincipal = createParamDecorator((_data: unknown, ctx: ExecutionContext): Principal | undefined => {
  return ctx.switchToHttp().getRequest<WithPrincipal>().principal;
});
