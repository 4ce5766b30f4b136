import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { HttpException } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { resolveRequestId } from '@keyledger/observability';
import { bearerPrincipal } from '../auth/bearer';
import { errorAnswer } from '../http/error-filter';
import type { ServerSpan } from '@keyledger/observability';
import type { AccessRecord } from '../observability/access-log';
import type { RequestEdge } from '../observability/request-edge';
import { statusOf } from './batch-answer';
import type { CryptoAction } from './crypto-actions';
import type { NativeRouteDeps } from './native-crypto-routes';

/** The canonical hot requests: `POST /v1/keys/<id>/<action>`, no query, the id as `idSchema` allows it. */
const HOT_URL = /^\/v1\/keys\/([A-Za-z0-9][A-Za-z0-9._-]{0,127})\/(sign|verify|encrypt|decrypt)$/;
const JSON_TYPES = new Set(['application/json', 'application/json; charset=utf-8']);

/** What the fast path needs besides the native routes' deps. */
export interface FastPathDeps extends NativeRouteDeps {
  readonly actions: Readonly<Record<string, CryptoAction>>;
  /** The access line and server span of every request (the same as Fastify's routes get). */
  readonly edge: RequestEdge;
  readonly bodyLimit: number;
}

type JsonParser = (req: unknown, body: string, done: (err: Error | null, value?: unknown) => void) => void;

interface Hot {
  readonly action: CryptoAction;
  readonly keyId: string;
  /** The route template Fastify would have matched, `/v1/keys/:keyId/<action>`. */
  readonly route: string;
}

/** One request on the fast path: what its access line and span end are built from. */
interface InFlight {
  readonly record: AccessRecord;
  readonly span: ServerSpan | undefined;
  readonly started: number;
  readonly hot: Hot;
}

const ROUTES: Readonly<Record<string, string>> = { sign: '/v1/keys/:keyId/sign', verify: '/v1/keys/:keyId/verify', encrypt: '/v1/keys/:keyId/encrypt', decrypt: '/v1/keys/:keyId/decrypt' };

/** Whether the request is one the fast path answers: anything unusual is left to Fastify. */
function hotAction(req: IncomingMessage, deps: FastPathDeps): Hot | null {
  if (req.method !== 'POST' || req.url === undefined) return null;
  const m = HOT_URL.exec(req.url);
  if (m === null) return null;
  const type = req.headers['content-type'];
  const length = req.headers['content-length'];
  if (type === undefined || !JSON_TYPES.has(type.toLowerCase()) || req.headers['transfer-encoding'] !== undefined || length === undefined) return null;
  const n = Number(length);
  if (!Number.isInteger(n) || n <= 0 || n > deps.bodyLimit) return null;
  return { action: deps.actions[m[2]], keyId: m[1], route: ROUTES[m[2]] };
}

/** Writes the whole answer at once; headers as a flat list (no header object to walk). */
function send(res: ServerResponse, status: number, requestId: string, payload: string, extra?: readonly string[]): void {
  const headers = ['x-request-id', requestId, 'content-type', 'application/json; charset=utf-8', 'content-length', String(Buffer.byteLength(payload))];
  if (extra !== undefined) headers.push(...extra);
  res.writeHead(status, headers);
  res.end(payload);
}

function finish(deps: FastPathDeps, f: InFlight, status: number, errorCode: string | undefined): void {
  deps.edge.finish(f.record, f.span, status, performance.now() - f.started, f.hot.route, { keyId: f.hot.keyId }, errorCode);
}

async function answer(req: IncomingMessage, res: ServerResponse, deps: FastPathDeps, f: InFlight, body: unknown): Promise<void> {
  const id = f.record.id;
  let status = 200;
  let errorCode: string | undefined;
  try {
    const principal = await bearerPrincipal(deps.authenticator, req.headers.authorization);
    const result = await f.hot.action(deps, principal, f.hot.keyId, body);
    status = statusOf(result);
    send(res, status, id, JSON.stringify(result));
  } catch (error) {
    const a = errorAnswer(error, id, (err) => deps.onUnexpected(err, id));
    status = a.status;
    errorCode = a.body.error.code;
    send(res, a.status, id, JSON.stringify(a.body), a.retryAfter === undefined ? undefined : ['Retry-After', a.retryAfter]);
  }
  finish(deps, f, status, errorCode);
}

/** Reads the body and answers; a body that is not JSON gets Fastify's answer (400 REQUEST_INVALID, connection closed). */
function serve(req: IncomingMessage, res: ServerResponse, deps: FastPathDeps, parseJson: JsonParser, hot: Hot): void {
  const started = performance.now();
  const id = resolveRequestId(req.headers['x-request-id']);
  const f: InFlight = { record: { id, method: 'POST', url: req.url as string, headers: req.headers }, span: deps.edge.begin('POST', req.headers, hot.route), started, hot };
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  // The client closed the connection before its body arrived whole: an access line at info, no answer.
  req.on('close', () => {
    if (req.readableAborted) deps.edge.aborted(f.record, f.span, performance.now() - started, hot.route);
  });
  req.on('end', () => {
    const text = chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8');
    parseJson(undefined, text, (err, body) => {
      if (err) {
        // As Nest's error handler passes Fastify's parser errors to the filter: an HttpException of their status.
        const a = errorAnswer(new HttpException(err.message, (err as { statusCode?: number }).statusCode ?? 400), id, () => undefined);
        send(res, a.status, id, JSON.stringify(a.body), ['connection', 'close']);
        finish(deps, f, a.status, a.body.error.code);
        return;
      }
      // The server span is the active span while the action runs: its key retrievals are children.
      deps.edge.within(f.span, () => answer(req, res, deps, f, body)).catch((error: unknown) => deps.onUnexpected(error, id));
    });
  });
}

/**
 * Answers the canonical sign, verify, encrypt and decrypt requests (POST, JSON with a content
 * length within the body limit, plain key id, no query) straight from node:http, ahead of Fastify's
 * routing, hooks and body parser, which cost more than a third of the sign route's CPU. It runs the
 * same functions as the native Fastify routes: Fastify's own JSON parser (same poisoning checks),
 * the request id, `bearerPrincipal`, the controller's actions, the error envelope, and the request
 * edge's access line and server span (named and attributed exactly as on Fastify's routes). Every other request, and every request once the server is closing, goes to Fastify as
 * before. Install before `listen`.
 */
export function installCryptoFastPath(server: Server, fastify: FastifyInstance, deps: FastPathDeps): void {
  const handlers = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  if (handlers.length !== 1) throw new Error(`expected Fastify's one request handler on the server, found ${handlers.length}`);
  const fastifyHandler = handlers[0];
  const parseJson = fastify.getDefaultJsonParser('error', 'error') as unknown as JsonParser;
  let closing = false;
  fastify.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const hot = closing ? null : hotAction(req, deps);
    if (hot === null) fastifyHandler(req, res);
    else serve(req, res, deps, parseJson, hot);
  });
}
