import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import type { Options as PinoHttpOptions } from 'pino-http';
import type { DestinationStream, LevelWithSilent } from 'pino';
import { scrubText } from '../redaction/scrub';

/** Field names that hold secrets wherever they appear in a logged object. */
export const SECRET_FIELDS: readonly string[] = [
  'plaintext',
  'Plaintext',
  'ciphertext',
  'Ciphertext',
  'CiphertextBlob',
  'keyMaterial',
  'key_material',
  'material',
  'privateKey',
  'private_key',
  'secretKey',
  'dataKey',
  'data_key',
  'token',
  'accessToken',
  'refreshToken',
  'password',
  'secret',
  'authorization',
  'Authorization',
  'cookie',
  'Cookie',
];

/** Header paths redacted in request and response logs (pino-http shapes). */
const HEADER_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["proxy-authorization"]',
  'req.headers["x-api-key"]',
  'req.headers["x-amz-security-token"]',
  'res.headers["set-cookie"]',
];

/**
 * Every pino redaction path: request/response headers, and each secret field at the top level
 * and up to three levels deep (pino's wildcards do not recurse).
 */
export const REDACT_PATHS: readonly string[] = [
  ...HEADER_PATHS,
  ...SECRET_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`, `*.*.*.${f}`]),
];

/** Headers worth seeing in a request log; everything else (credentials included) is left out. */
const LOGGED_HEADERS = ['host', 'user-agent', 'content-type', 'content-length', 'accept', 'x-request-id', 'x-forwarded-for'];
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** Options for `loggerParams`. */
export interface LoggerOptions {
  readonly level: LevelWithSilent;
  /** Names the app in every line (`app` field). */
  readonly app: string;
  /** Where lines go; stdout when omitted. Tests pass a capture stream. */
  readonly destination?: DestinationStream;
}

type SerializedRequest = { id?: unknown; method?: string; url?: string; headers?: Record<string, unknown> };
type SerializedError = { type?: string; message?: string; stack?: string; code?: unknown };

/** Request log entry: method, path without its query string, an allowlist of headers. */
export function serializeRequest(req: SerializedRequest): Record<string, unknown> {
  const headers: Record<string, unknown> = {};
  for (const name of LOGGED_HEADERS) if (req.headers?.[name] !== undefined) headers[name] = req.headers[name];
  return { id: req.id, method: req.method, path: (req.url ?? '').split('?')[0], headers };
}

/** Error log entry with secret-shaped text scrubbed from message and stack. */
export function serializeError(err: SerializedError): Record<string, unknown> {
  return {
    type: err.type,
    code: typeof err.code === 'string' ? err.code : undefined,
    message: scrubText(err.message ?? ''),
    stack: err.stack === undefined ? undefined : err.stack.split('\n').slice(1, 8).join('\n'),
  };
}

/** The caller's `x-request-id` when it is short and plain, else a fresh UUID. */
export function resolveRequestId(incoming: unknown): string {
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/**
 * pino-http's id generator: `resolveRequestId`, echoed on the response. Servers that assign ids
 * themselves (Fastify: pass `genReqId` built on `resolveRequestId`) keep theirs.
 */
export function requestId(req: IncomingMessage, res: ServerResponse): string {
  const id = resolveRequestId(req.headers['x-request-id']);
  res.setHeader('x-request-id', id);
  return id;
}

/**
 * nestjs-pino parameters: JSON lines, request ids, redaction of key material, plaintext,
 * ciphertext, data keys, tokens, Authorization and cookies.
 */
export function loggerParams(options: LoggerOptions): Params {
  const pinoOptions: PinoHttpOptions = {
    level: options.level,
    base: { app: options.app },
    redact: { paths: [...REDACT_PATHS], censor: '[REDACTED]' },
    genReqId: requestId,
    serializers: { req: serializeRequest, err: serializeError },
    customLogLevel: (_req: IncomingMessage, res: ServerResponse, err?: Error) =>
      err !== undefined || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
  };
  return { pinoHttp: options.destination === undefined ? pinoOptions : [pinoOptions, options.destination] };
}
