import { ApiError } from '../http/api-error';
import type { Authenticator } from './authenticator';
import type { Principal } from './principal';

const PUBLIC_PREFIXES = ['/health', '/metrics', '/docs'];

/**
 * Whether `url` (path and query) is one of the routes served without a token: health, metrics,
 * docs, and the `extra` prefixes the configuration opens (`/tlog` unless TLOG_PUBLIC=false).
 */
export function isPublicPath(url: string, extra: readonly string[] = []): boolean {
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  const under = (p: string) => path === p || path.startsWith(`${p}/`);
  return PUBLIC_PREFIXES.some(under) || extra.some(under);
}

// RFC 7235 §2.1: the scheme name is case-insensitive (`Bearer`, `bearer`, `BEARER`).
const BEARER = /^bearer +/i;

/** The token of an `Authorization: Bearer <token>` header (scheme in any case), or '' when there is none. */
export function bearerToken(header: string | string[] | undefined): string {
  if (typeof header !== 'string') return '';
  const scheme = BEARER.exec(header);
  return scheme === null ? '' : header.slice(scheme[0].length).trim();
}

/**
 * The principal of an `Authorization: Bearer <token>` header, or 401 UNAUTHENTICATED. Shared by the
 * Nest guard and the native Fastify routes so both authenticate exactly alike.
 */
export async function bearerPrincipal(authenticator: Authenticator, header: string | string[] | undefined): Promise<Principal> {
  const token = bearerToken(header);
  const principal = token ? await authenticator.authenticate(token) : null;
  if (!principal) throw new ApiError('UNAUTHENTICATED', 'Send a valid Authorization: Bearer <token>');
  return principal;
}
