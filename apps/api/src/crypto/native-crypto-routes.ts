import type { FastifyInstance, FastifyReply, FastifyRequest, RouteHandlerMethod } from 'fastify';
import type { Authenticator } from '../auth/authenticator';
import { bearerPrincipal } from '../auth/bearer';
import { replyWithError } from '../http/error-filter';
import { statusOf } from './batch-answer';
import { decryptAction, encryptAction, signAction, verifyAction, type CryptoAction, type CryptoDeps } from './crypto-actions';

/** What the native handlers need besides the crypto deps. */
export interface NativeRouteDeps extends CryptoDeps {
  readonly authenticator: Authenticator;
  /** Logs an error that became a 500, as the exception filter does. */
  readonly onUnexpected: (error: unknown, requestId: string) => void;
}

/** The hot routes, `POST /v1/keys/:keyId/<name>`, and the action serving each. */
export const HOT_CRYPTO_ACTIONS: Readonly<Record<string, CryptoAction>> = {
  sign: signAction,
  verify: verifyAction,
  encrypt: encryptAction,
  decrypt: decryptAction,
};

const NATIVE_CRYPTO_ROUTES: ReadonlyMap<string, CryptoAction> = new Map(Object.entries(HOT_CRYPTO_ACTIONS).map(([name, action]) => [`/v1/keys/:keyId/${name}`, action]));

function nativeHandler(action: CryptoAction, deps: NativeRouteDeps): RouteHandlerMethod {
  return async function handle(request: FastifyRequest, reply: FastifyReply) {
    try {
      const principal = await bearerPrincipal(deps.authenticator, request.headers.authorization);
      const answer = await action(deps, principal, (request.params as { keyId: string }).keyId, request.body);
      void reply.code(statusOf(answer));
      return answer;
    } catch (error) {
      replyWithError(reply, request.id, error, (err) => deps.onUnexpected(err, request.id));
      return reply;
    }
  };
}

/**
 * Serves the hot crypto routes as plain Fastify handlers. The Nest controller still declares them
 * (same path, same OpenAPI document, same body parsing, request id, access log and not-found and
 * parse-error answers, which are Fastify's), but when Nest registers each of them on Fastify this
 * hook swaps Nest's handler (router, guard, param pipes, interceptors, exception filter) for one
 * that runs the same functions directly: `bearerPrincipal` (the guard's check), the controller's
 * action (schema, role, tenant isolation, rate limit, use case) and `replyWithError` (the filter's
 * envelope). Call before the app initialises (before `listen`).
 */
export function serveCryptoRoutesNatively(fastify: FastifyInstance, deps: NativeRouteDeps): void {
  fastify.addHook('onRoute', (route) => {
    const action = route.method === 'POST' ? NATIVE_CRYPTO_ROUTES.get(route.url) : undefined;
    if (action) route.handler = nativeHandler(action, deps);
  });
}
