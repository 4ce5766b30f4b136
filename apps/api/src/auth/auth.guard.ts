import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../http/api-error';
import type { Authenticator } from './authenticator';
import { attachPrincipal } from './principal';

export const AUTHENTICATOR = Symbol.for('keyledger.AUTHENTICATOR');

const PUBLIC_PREFIXES = ['/health', '/metrics', '/docs'];

/** Every route but health, metrics and docs needs a valid bearer token (401 UNAUTHENTICATED otherwise). */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(@Inject(AUTHENTICATOR) private readonly authenticator: Authenticator) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const path = request.url.split('?')[0];
    if (PUBLIC_PREFIXES.some((p) => path === p || path.startsWith(`${p}/`))) return true;
    const header = request.headers.authorization;
    const token = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7).trim() : '';
    const principal = token ? await this.authenticator.authenticate(token) : null;
    if (!principal) throw new ApiError('UNAUTHENTICATED', 'Send a valid Authorization: Bearer <token>');
    attachPrincipal(request, principal);
    return true;
  }
}
