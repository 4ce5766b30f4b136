import { Inject, Injectable, Optional, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Authenticator } from './authenticator';
import { bearerPrincipal, isPublicPath } from './bearer';
import { attachPrincipal } from './principal';

export const AUTHENTICATOR = Symbol.for('keyledger.AUTHENTICATOR');
/** Path prefixes served without a token besides health, metrics and docs (e.g. `/tlog`). */
export const EXTRA_PUBLIC_PREFIXES = Symbol.for('keyledger.EXTRA_PUBLIC_PREFIXES');

/** Every route but health, metrics, docs and the configured public prefixes needs a valid bearer token (401 UNAUTHENTICATED otherwise). */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    @Inject(AUTHENTICATOR) private readonly authenticator: Authenticator,
    @Optional() @Inject(EXTRA_PUBLIC_PREFIXES) private readonly extraPublic: readonly string[] = [],
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (isPublicPath(request.url, this.extraPublic ?? [])) return true;
    attachPrincipal(request, await bearerPrincipal(this.authenticator, request.headers.authorization));
    return true;
  }
}
