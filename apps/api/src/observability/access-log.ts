import type { IncomingHttpHeaders } from 'node:http';
import pino, { type DestinationStream, type LevelWithSilent } from 'pino';
import { serializeRequest } from '@keyledger/observability';

/** Bytes of access lines gathered before they go to the destination. */
export const LOG_BLOCK_BYTES = 16_384;
/** The longest a log line waits for its block to fill. */
export const LOG_FLUSH_MS = 100;

/** Bytes of other log lines gathered by the stdout destination before a write. */
export const STDOUT_BLOCK_BYTES = 4096;

/**
 * stdout written asynchronously in blocks: lines gather until `STDOUT_BLOCK_BYTES` or
 * `LOG_FLUSH_MS`, then go out in one write, so a request never waits on a write(2) and the server
 * and whatever reads its stdout make one system call per block rather than per line. pino flushes
 * what is queued when the process exits.
 */
export function asyncStdout(): DestinationStream {
  return pino.destination({ dest: 1, sync: false, minLength: STDOUT_BLOCK_BYTES, periodicFlush: LOG_FLUSH_MS });
}

/** pino's numeric levels, so access lines read like every other log line. */
const LEVEL_VALUES: Readonly<Record<LevelWithSilent, number>> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity };

/** The status an access line gives a request its client aborted (nginx's 499, "client closed request"): none was sent. */
export const CLIENT_CLOSED_REQUEST = 499;

/** Routes that monitoring calls every few seconds: their lines are at debug, so info shows traffic, not scrapes. */
export const SCRAPE_ROUTES: ReadonlySet<string> = new Set(['/metrics', '/health/live', '/health/ready']);

/**
 * error 5xx, warn 4xx, info else; a scrape at debug whatever it answered (a 503 readiness is a
 * value the probe reads, and the alerts and breaker lines tell the outage), unless it failed with a 500.
 */
function levelFor(statusCode: number, route: string | undefined): number {
  if (route !== undefined && SCRAPE_ROUTES.has(route)) return statusCode === 500 ? 50 : 20;
  return statusCode >= 500 ? 50 : statusCode >= 400 ? 40 : 30;
}

/** What the edge learnt about a request besides its status: each is a fixed name, an id or a code. */
export interface RequestFacts {
  /** The route template (`/v1/keys/:keyId/sign`); absent when no route matched. */
  readonly route?: string;
  /** The tenant the route names (its tenant id, or the owner of its key id). */
  readonly tenantId?: string;
  /** keyledger's error code of a 4xx/5xx answer. */
  readonly errorCode?: string;
}

const NO_FACTS: RequestFacts = {};

/** What an access line is built from (Fastify request or a raw request answered outside Fastify). */
export interface AccessRecord {
  readonly id: string;
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
}

/**
 * The access log: one "request completed" line per request (level from the status: error 5xx,
 * warn 4xx, info else; scrapes of /metrics and /health at debug), in pino's JSON line format. Its
 * lines are built only from an allowlist (request id, method, path without the query string, the
 * logged headers of `serializeRequest`, status code, time, and the route template, tenant and error
 * code of `RequestFacts`), so nothing secret can enter them; they skip pino's redaction pass (a
 * fifth of the sign route's CPU with the 88 wildcard paths) and its per-call machinery, and are
 * gathered into blocks of `blockBytes` before going to the destination: handing sonic-boom one
 * line at a time cost the sign route about a sixth of its throughput at info, most of it in
 * re-measuring the growing buffer on every write. Lines wait at most `LOG_FLUSH_MS`; `close`
 * writes what is left (the app calls it as it shuts down).
 */
export class AccessLog {
  private readonly threshold: number;
  private readonly appField: string;
  private lines: string[] = [];
  private size = 0;
  private closed = false;
  private readonly timer: NodeJS.Timeout | null;

  constructor(
    level: LevelWithSilent,
    app: string,
    private readonly destination: DestinationStream,
    private readonly blockBytes = LOG_BLOCK_BYTES,
  ) {
    this.threshold = LEVEL_VALUES[level];
    this.appField = JSON.stringify(app);
    this.timer = blockBytes > 0 ? setInterval(() => this.flush(), LOG_FLUSH_MS).unref() : null;
  }

  /** Writes the line for one answered request, unless its level is below the configured one. */
  write(request: AccessRecord, statusCode: number, elapsedMs: number, facts: RequestFacts = NO_FACTS): void {
    this.add(levelFor(statusCode, facts.route), request, statusCode, elapsedMs, 'request completed', facts);
  }

  /** Whether a line of this status and route would be written (the edge skips the tenant lookup otherwise). */
  writes(statusCode: number, route: string | undefined): boolean {
    return levelFor(statusCode, route) >= this.threshold;
  }

  /**
   * Writes the line for a request the client gave up on (it closed the connection before the
   * request had arrived whole): at info, since nothing failed on this side, with nginx's status
   * 499 (client closed request) as no answer was sent, and its own message.
   */
  writeAborted(request: AccessRecord, elapsedMs: number, route?: string): void {
    this.add(LEVEL_VALUES.info, request, CLIENT_CLOSED_REQUEST, elapsedMs, 'request aborted by the client', { route });
  }

  private add(level: number, request: AccessRecord, statusCode: number, elapsedMs: number, msg: string, facts: RequestFacts): void {
    if (level < this.threshold) return;
    const req = JSON.stringify(serializeRequest({ id: request.id, method: request.method, url: request.url, headers: request.headers }));
    let extra = '';
    if (facts.route !== undefined) extra += `,"route":${JSON.stringify(facts.route)}`;
    if (facts.tenantId !== undefined) extra += `,"tenant":${JSON.stringify(facts.tenantId)}`;
    if (facts.errorCode !== undefined) extra += `,"errorCode":${JSON.stringify(facts.errorCode)}`;
    const line = `{"level":${level},"time":${Date.now()},"app":${this.appField},"req":${req},"res":{"statusCode":${statusCode}},"responseTime":${Math.round(elapsedMs)}${extra},"msg":"${msg}"}\n`;
    this.lines.push(line);
    this.size += line.length;
    if (this.size >= this.blockBytes || this.closed) this.flush();
  }

  /** Hands the gathered lines to the destination as one block. */
  flush(): void {
    if (this.lines.length === 0) return;
    const block = this.lines.length === 1 ? this.lines[0] : this.lines.join('');
    this.lines = [];
    this.size = 0;
    this.destination.write(block);
  }

  /** Stops the flush timer and writes what is left; lines of requests still finishing go out one by one. */
  close(): void {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.flush();
  }
}
