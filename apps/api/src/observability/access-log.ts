import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyInstance } from 'fastify';
import pino, { type DestinationStream, type Level, type LevelWithSilent, type Logger } from 'pino';
import { serializeRequest } from '@keyledger/observability';

/** Bytes of log lines gathered before a write to stdout. */
export const LOG_BLOCK_BYTES = 4096;
/** The longest a log line waits for its block to fill. */
export const LOG_FLUSH_MS = 100;

/**
 * stdout written asynchronously in blocks: lines gather until `LOG_BLOCK_BYTES` or `LOG_FLUSH_MS`,
 * then go out in one write, so a request never waits on a write(2) and the server and whatever
 * reads its stdout make one system call per block rather than per line (at info, one access line
 * per request, per-line writes cost the sign route a sixth of its throughput). pino flushes what is
 * queued when the process exits.
 */
export function asyncStdout(): DestinationStream {
  return pino.destination({ dest: 1, sync: false, minLength: LOG_BLOCK_BYTES, periodicFlush: LOG_FLUSH_MS });
}

/**
 * The access-log writer. Its lines are built only from an allowlist (request id, method, path
 * without the query string, the logged headers of `serializeRequest`, status code and time), so
 * nothing secret can enter them and they skip the redaction pass, which cost a fifth of the
 * sign route's CPU when every line went through the 88 wildcard redaction paths.
 */
export function accessLogger(level: LevelWithSilent, app: string, destination: DestinationStream): Logger {
  return pino({ level, base: { app } }, destination);
}

const levelFor = (statusCode: number): Level => (statusCode >= 500 ? 'error' : statusCode >= 400 ? 'warn' : 'info');

/** What an access line is built from (Fastify request or a raw request answered outside Fastify). */
export interface AccessRecord {
  readonly id: string;
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
}

/**
 * Writes one "request completed" line (level from the status: error 5xx, warn 4xx, info else);
 * nothing is built unless the line is written.
 */
export function logAccess(logger: Logger, request: AccessRecord, statusCode: number, elapsedMs: number): void {
  const level = levelFor(statusCode);
  if (!logger.isLevelEnabled(level)) return;
  const req = serializeRequest({ id: request.id, method: request.method, url: request.url, headers: request.headers });
  logger[level]({ req, res: { statusCode }, responseTime: Math.round(elapsedMs) }, 'request completed');
}

/**
 * One "request completed" line per request from a Fastify hook, in place of pino-http's Nest
 * middleware, which built and redacted a child logger for every request even when its line was
 * below the log level.
 */
export function registerAccessLog(fastify: FastifyInstance, logger: Logger): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    logAccess(logger, request, reply.statusCode, reply.elapsedTime);
    done();
  });
}
