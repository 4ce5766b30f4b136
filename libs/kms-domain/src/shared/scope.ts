import { requireId } from './validation';
import { ValidationError } from '../errors/domain-errors';

/** Where a break-glass session or a signing freeze applies: everywhere, or one tenant. */
export type Scope = { readonly kind: 'global' } | { readonly kind: 'tenant'; readonly tenantId: string };

export const GLOBAL_SCOPE: Scope = { kind: 'global' };

/** Builds a tenant scope. */
export function tenantScope(tenantId: string): Scope {
  return { kind: 'tenant', tenantId };
}

/** Validates a scope from a command. */
export function requireScope(field: string, value: unknown): Scope {
  const scope = value as Partial<{ kind: unknown; tenantId: unknown }> | null;
  if (scope?.kind === 'global') return GLOBAL_SCOPE;
  if (scope?.kind === 'tenant') return tenantScope(requireId(`${field}.tenantId`, scope.tenantId));
  throw new ValidationError(field, "expected { kind: 'global' } or { kind: 'tenant', tenantId }");
}

/** Stable text form, `global` or `tenant:<id>`, for stream names, views and messages. */
export function scopeKey(scope: Scope): string {
  return scope.kind === 'global' ? 'global' : `tenant:${scope.tenantId}`;
}
