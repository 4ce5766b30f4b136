import type { IncomingHttpHeaders } from 'node:http';
import { performance } from 'node:perf_hooks';
import { context } from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { HttpServerSpans, ServerSpan } from '@keyledger/observability';
import type { AccessLog, AccessRecord } from './access-log';

/** The owner of a key id, from the status views (an in-memory map once the key was seen). */
export type TenantOfKey = (keyId: string) => string | undefined;

/** Path parameters the edge reads a tenant from. */
export interface TenantParams {
  readonly keyId?: unknown;
  readonly tenantId?: unknown;
}

/** Ids as kms-domain allows them; anything else is not looked up nor logged. */
const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const safeId = (v: unknown): string | undefined => (typeof v === 'string' && SAFE_ID.test(v) ? v : undefined);

/**
 * Where every request ends, whichever path served it (Fastify's routes or the node:http fast
 * path): one access line and, when tracing is on, the end of its server span, both with the route
 * template, the tenant the route names and keyledger's error code. `spans` is undefined when no
 * tracer provider is registered, and then nothing on this path touches OpenTelemetry.
 */
export class RequestEdge {
  constructor(
    readonly accessLog: AccessLog,
    private readonly spans: HttpServerSpans | undefined,
    private readonly tenantOfKey: TenantOfKey,
  ) {}

  /** Whether requests get server spans (a tracer provider is registered). */
  get traced(): boolean {
    return this.spans !== undefined;
  }

  /** Starts the request's server span (undefined when untraced). */
  begin(method: string, headers: IncomingHttpHeaders, route: string | undefined): ServerSpan | undefined {
    return this.spans?.start(method, headers, route);
  }

  /** Runs `fn` with the server span as the active span, so the key operations' spans are its children. */
  within<T>(span: ServerSpan | undefined, fn: () => T): T {
    return span === undefined ? fn() : context.with(span.context, fn);
  }

  /** The access line and the span's end for an answered request. */
  finish(record: AccessRecord, span: ServerSpan | undefined, statusCode: number, elapsedMs: number, route: string | undefined, params: TenantParams | undefined, errorCode: string | undefined): void {
    const logged = this.accessLog.writes(statusCode, route);
    if (!logged && span === undefined) return;
    const facts = { route, tenantId: this.tenantOf(params, statusCode), errorCode };
    if (logged) this.accessLog.write(record, statusCode, elapsedMs, facts);
    if (span !== undefined) this.spans?.end(span, record.method, { ...facts, statusCode });
  }

  /** The access line and the span's end for a request its client abandoned. */
  aborted(record: AccessRecord, span: ServerSpan | undefined, elapsedMs: number, route: string | undefined): void {
    this.accessLog.writeAborted(record, elapsedMs, route);
    if (span !== undefined) this.spans?.aborted(span);
  }

  /**
   * The tenant a route names: its `:tenantId`, else the owner of its `:keyId` (one lookup, a map
   * hit for every key the views have seen). Not looked up for a request without a valid token.
   */
  private tenantOf(params: TenantParams | undefined, statusCode: number): string | undefined {
    if (params === undefined || statusCode === 401) return undefined;
    const tenantId = safeId(params.tenantId);
    if (tenantId !== undefined) return tenantId;
    const keyId = safeId(params.keyId);
    return keyId === undefined ? undefined : this.tenantOfKey(keyId);
  }
}

const EDGE = 'keyledgerEdge';
interface EdgeState {
  readonly started: number;
  readonly span: ServerSpan | undefined;
  errorCode: string | undefined;
  /** Set once the line is written (an aborted request must not get a second one). */
  ended: boolean;
}
type WithEdge = FastifyRequest & { [EDGE]: EdgeState | null };

/** Notes the error code the answer carries (the error envelope calls it), for the access line and span. */
export function noteErrorCode(request: FastifyRequest, code: string): void {
  const state = (request as WithEdge)[EDGE];
  if (state) state.errorCode = code;
}

const routeOf = (request: FastifyRequest): string | undefined => request.routeOptions.url;

/**
 * The edge as Fastify hooks, in place of pino-http's Nest middleware (which built and redacted a
 * child logger for every request even when its line was below the log level): onRequest starts the
 * server span, preHandler makes it the active context for the handler (after the body was read:
 * the body's stream events would not carry it), onResponse writes the access line and ends the
 * span, onRequestAbort does both for a request its client abandoned (no answer, no onResponse).
 *
 * Why not @fastify/otel (it installs with these OpenTelemetry versions): the hot routes are
 * answered by the node:http fast path ahead of Fastify, which it cannot see, so their server span
 * would be a second implementation; it names the span `request` and wraps every hook and handler
 * in a span of its own, and it replaces route handlers in onRoute, where the native crypto routes
 * swap theirs. One small hook shared with the fast path gives both the same span.
 */
export function registerRequestEdge(fastify: FastifyInstance, edge: RequestEdge): void {
  fastify.decorateRequest(EDGE, null);
  fastify.addHook('onRequest', (request, _reply, done) => {
    (request as WithEdge)[EDGE] = { started: performance.now(), span: edge.begin(request.method, request.headers, routeOf(request)), errorCode: undefined, ended: false };
    done();
  });
  if (edge.traced) {
    fastify.addHook('preHandler', (request, _reply, done) => {
      const span = (request as WithEdge)[EDGE]?.span;
      if (span === undefined) done();
      else edge.within(span, done);
    });
  }
  // A request answered by a hook that ran before onRequest's (none today) still gets its line, without a span.
  fastify.addHook('onResponse', (request, reply, done) => {
    const state = (request as WithEdge)[EDGE];
    if (state?.ended) return done();
    if (state) state.ended = true;
    edge.finish(request, state?.span, reply.statusCode, reply.elapsedTime, routeOf(request), request.params as TenantParams | undefined, state?.errorCode);
    done();
  });
  fastify.addHook('onRequestAbort', (request, done) => {
    const state = (request as WithEdge)[EDGE];
    if (!state || state.ended) return done();
    state.ended = true;
    edge.aborted(request, state.span, performance.now() - state.started, routeOf(request));
    done();
  });
  fastify.addHook('onClose', (_instance, done) => {
    edge.accessLog.close();
    done();
  });
}
