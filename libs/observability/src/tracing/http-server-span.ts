import type { IncomingHttpHeaders } from 'node:http';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, propagation, trace, type Context, type Span, type Tracer } from '@opentelemetry/api';

/** One request's server span and the context its handler runs in (the span as parent). */
export interface ServerSpan {
  readonly span: Span;
  readonly context: Context;
}

/** What the edge knows once a request is answered. */
export interface ServerSpanOutcome {
  readonly statusCode: number;
  /** The route template (`/v1/keys/:keyId/sign`) when it was not known at the start. */
  readonly route?: string;
  /** The tenant the request addressed, when its route names one (a tenant id or a key id). */
  readonly tenantId?: string;
  /** keyledger's stable error code of a 4xx/5xx answer (`KEY_NOT_FOUND`, `KMS_UNAVAILABLE`). */
  readonly errorCode?: string;
}

/** The status the edge reports for a request whose client closed the connection before the answer. */
export const CLIENT_ABORTED = 'CLIENT_ABORTED';

/**
 * The SERVER span of each HTTP request, one implementation for every way a request is served
 * (Fastify's routes and the node:http fast path), so both produce the same span: named
 * `<METHOD> <route template>`, the caller's W3C `traceparent`/`tracestate` continued, with
 * `http.request.method`, `http.route`, `http.response.status_code`, `tenant.id` when the route names
 * a tenant, `error.type` (keyledger's error code) on 4xx/5xx, and status ERROR with `error = true`
 * on 5xx. Only names, ids and codes go in: never headers, bodies or the query string.
 */
export class HttpServerSpans {
  constructor(private readonly tracer: Tracer) {}

  /** Starts the span; pass `route` when the router already matched one. */
  start(method: string, headers: IncomingHttpHeaders, route: string | undefined): ServerSpan {
    const parent = propagation.extract(ROOT_CONTEXT, headers);
    const attributes: Record<string, string> = { 'http.request.method': method };
    if (route !== undefined) attributes['http.route'] = route;
    const span = this.tracer.startSpan(route === undefined ? method : `${method} ${route}`, { kind: SpanKind.SERVER, attributes }, parent);
    return { span, context: trace.setSpan(parent, span) };
  }

  /** Ends the span with what the answer said. */
  end(server: ServerSpan, method: string, outcome: ServerSpanOutcome): void {
    const { span } = server;
    if (outcome.route !== undefined) {
      span.updateName(`${method} ${outcome.route}`);
      span.setAttribute('http.route', outcome.route);
    }
    span.setAttribute('http.response.status_code', outcome.statusCode);
    if (outcome.tenantId !== undefined) span.setAttribute('tenant.id', outcome.tenantId);
    if (outcome.statusCode >= 400) span.setAttribute('error.type', outcome.errorCode ?? String(outcome.statusCode));
    if (outcome.statusCode >= 500) {
      span.setAttribute('error', true);
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    span.end();
  }

  /** Ends the span of a request its client abandoned: nothing was answered, nothing failed here. */
  aborted(server: ServerSpan): void {
    server.span.setAttribute('error.type', CLIENT_ABORTED);
    server.span.end();
  }
}
