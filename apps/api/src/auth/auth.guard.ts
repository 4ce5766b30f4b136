import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Authenticator } from './authenticator';
import { bearerPrincipal, isPublicPath } from './bearer';
import { attachPrincipal } from './principal';

export const AUTHENTICATOR = Symbol.for('keyledger.AUTHENTICATOR');

/** Every route but health, metrics and docs needs a valid bearer token (401 UNAUTHENTICATED otherwise). */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(@Inject(AUTHENTICATOR) private readonly authenticator: Authenticator) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (isPublicPath(request.url)) return true;
    attachPrincipal(request, await bearerPrincipal(this.authenticator, request.headers.authorization));
    return true;
  }
}
