import type { IncomingHttpHeaders } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { FastifyInstance, FastifyRequest } from 'fastify';
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

const levelFor = (statusCode: number): number => (statusCode >= 500 ? 50 : statusCode >= 400 ? 40 : 30);

/** What an access line is built from (Fastify request or a raw request answered outside Fastify). */
export interface AccessRecord {
  readonly id: string;
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
}

/**
 * The access log: one "request completed" line per request (level from the status: error 5xx,
 * warn 4xx, info else), in pino's JSON line format. Its lines are built only from an allowlist
 * (request id, method, path without the query string, the logged headers of `serializeRequest`,
 * status code and time), so nothing secret can enter them; they skip pino's redaction pass (a
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
  write(request: AccessRecord, statusCode: number, elapsedMs: number): void {
    this.add(levelFor(statusCode), request, statusCode, elapsedMs, 'request completed');
  }

  /**
   * Writes the line for a request the client gave up on (it closed the connection before the
   * request had arrived whole): at info, since nothing failed on this side, with nginx's status
   * 499 (client closed request) as no answer was sent, and its own message.
   */
  writeAborted(request: AccessRecord, elapsedMs: number): void {
    this.add(LEVEL_VALUES.info, request, CLIENT_CLOSED_REQUEST, elapsedMs, 'request aborted by the client');
  }

  private add(level: number, request: AccessRecord, statusCode: number, elapsedMs: number, msg: string): void {
    if (level < this.threshold) return;
    const req = JSON.stringify(serializeRequest({ id: request.id, method: request.method, url: request.url, headers: request.headers }));
    const line = `{"level":${level},"time":${Date.now()},"app":${this.appField},"req":${req},"res":{"statusCode":${statusCode}},"responseTime":${Math.round(elapsedMs)},"msg":"${msg}"}\n`;
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

const STARTED_AT = 'accessLogStartedAt';
type Started = FastifyRequest & { [STARTED_AT]: number };

/**
 * One "request completed" line per request from a Fastify hook (one "request aborted by the client"
 * line for a request its client abandoned), in place of pino-http's Nest
 * middleware, which built and redacted a child logger for every request even when its line was
 * below the log level. The log is flushed when Fastify closes.
 */
export function registerAccessLog(fastify: FastifyInstance, log: AccessLog): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    log.write(request, reply.statusCode, reply.elapsedTime);
    done();
  });
  // The client closed the connection before its request arrived whole: no answer, no onResponse.
  // Fastify keeps the start time on the reply, which this hook does not get.
  fastify.decorateRequest(STARTED_AT, 0);
  fastify.addHook('onRequest', (request, _reply, done) => {
    (request as Started)[STARTED_AT] = performance.now();
    done();
  });
  fastify.addHook('onRequestAbort', (request, done) => {
    log.writeAborted(request, performance.now() - (request as Started)[STARTED_AT]);
    done();
  });
  fastify.addHook('onClose', (_instance, done) => {
    log.close();
    done();
  });
}
