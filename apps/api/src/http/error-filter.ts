import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { noteErrorCode } from '../observability/request-edge';

/** HTTP status of each stable error code; anything unknown is a 500 with a generic message. */
const STATUS: Readonly<Record<string, number>> = {
  VALIDATION_FAILED: 400,
  REQUEST_INVALID: 400,
  BODY_TOO_LARGE: 400,
  INVALID_CIPHERTEXT: 400,
  INVALID_SIGNATURE_INPUT: 400,
  INVALID_MAC_INPUT: 400,
  DIGEST_NOT_SUPPORTED: 400,
  INVALID_JWT: 400,
  PROVIDER_MISMATCH: 400,
  KEY_VERSION_NOT_ALLOWED: 400,
  KEY_VERSION_DESTROYED: 400,
  KMS_INVALID_REQUEST: 400,
  AUDIT_PROOF_RANGE: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  APPROVAL_NOT_ALLOWED: 403,
  NOT_FOUND: 404,
  KEY_NOT_FOUND: 404,
  SESSION_NOT_FOUND: 404,
  SIGNER_NOT_FOUND: 404,
  AUDIT_EVENT_NOT_FOUND: 404,
  ROTATION_JOB_NOT_FOUND: 404,
  KEY_ALREADY_EXISTS: 409,
  INVALID_STATE_TRANSITION: 409,
  KEY_DISABLED: 409,
  KEY_PENDING_DELETION: 409,
  KEY_DESTROYED: 409,
  KEY_DELETION_NOT_DUE: 409,
  CONCURRENCY_CONFLICT: 409,
  NO_OUTAGE: 409,
  SESSION_ALREADY_EXISTS: 409,
  SESSION_NOT_ACTIVE: 409,
  SIGNER_KID_REUSED: 409,
  PRECONDITION_FAILED: 412,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  SIGNING_FROZEN: 503,
  CIRCUIT_OPEN: 503,
  KMS_UNAVAILABLE: 503,
  KMS_SIGNATURE_INVALID: 502,
  STORE_UNAVAILABLE: 503,
  KEY_MATERIAL_UNAVAILABLE: 503,
  EMERGENCY_KEY_UNAVAILABLE: 503,
  ROTATION_JOB_STARTING: 503,
};

/** Provider errors that are not the caller's fault all mean the same to a client: the KMS cannot serve now. */
const isProviderCode = (code: string): boolean => code.startsWith('KMS_') && STATUS[code] === undefined;

interface Coded {
  readonly code: string;
  readonly message: string;
  readonly retryAfterMs?: number;
}

const UNSUPPORTED_MEDIA_TYPE: Coded = { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Send the body as JSON, with content-type: application/json' };

/** Translates anything thrown into `{"error":{"code","message","requestId"}}` with the code's status. */
export function toErrorBody(error: unknown): { status: number; body: Coded } {
  if (error instanceof HttpException) {
    const status = error.getStatus();
    if (status === 404) return { status, body: { code: 'NOT_FOUND', message: 'No such route' } };
    if (status === 415) return { status, body: UNSUPPORTED_MEDIA_TYPE };
    if (status === 413) return { status: 400, body: { code: 'BODY_TOO_LARGE', message: 'The request body is larger than the limit' } };
    if (status < 500) return { status: 400, body: { code: 'REQUEST_INVALID', message: 'The request could not be read; send a JSON body' } };
  }
  const fastifyCode = (error as { code?: unknown }).code;
  if (fastifyCode === 'FST_ERR_CTP_BODY_TOO_LARGE') return { status: 400, body: { code: 'BODY_TOO_LARGE', message: 'The request body is larger than the limit' } };
  if (fastifyCode === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return { status: 415, body: UNSUPPORTED_MEDIA_TYPE };
  if (typeof fastifyCode === 'string' && fastifyCode.startsWith('FST_ERR_CTP')) {
    return { status: 400, body: { code: 'REQUEST_INVALID', message: 'The request body is not valid JSON' } };
  }
  const coded = error as Partial<Coded> | null;
  if (coded && typeof coded.code === 'string') {
    const code = isProviderCode(coded.code) ? 'KMS_UNAVAILABLE' : coded.code;
    const status = STATUS[code];
    if (status !== undefined) return { status, body: { code, message: String(coded.message), retryAfterMs: coded.retryAfterMs ?? (status === 503 && code !== 'SIGNING_FROZEN' ? 1000 : undefined) } };
  }
  return { status: 500, body: { code: 'INTERNAL', message: 'Unexpected error; see the server log with the request id' } };
}

/** An error as it is answered: status, the Retry-After header value (429/503) and the body. */
export interface ErrorAnswer {
  readonly status: number;
  readonly retryAfter?: string;
  readonly body: { readonly error: { readonly code: string; readonly message: string; readonly requestId: string } };
}

/** The envelope for `error` with the request id; `onUnexpected` sees the errors that become a 500. */
export function errorAnswer(error: unknown, requestId: string, onUnexpected: (error: unknown) => void): ErrorAnswer {
  const { status, body } = toErrorBody(error);
  if (status === 500) onUnexpected(error);
  const retryAfter = body.retryAfterMs === undefined ? undefined : String(Math.max(1, Math.ceil(body.retryAfterMs / 1000)));
  return { status, retryAfter, body: { error: { code: body.code, message: body.message, requestId } } };
}

/**
 * Whether `error` is Node's report that the client closed the connection before its request had
 * arrived whole (the body parser sees ECONNRESET "aborted"): a client abort, not a failure.
 */
export function isClientAbort(error: unknown, request: IncomingMessage): boolean {
  return request.readableAborted && (error as { code?: unknown } | null)?.code === 'ECONNRESET';
}

/**
 * Sends the error envelope for `error` on `reply`. Used by the exception filter and by the native
 * Fastify routes, so both answer every failure identically.
 */
export function replyWithError(reply: FastifyReply, requestId: string, error: unknown, onUnexpected: (error: unknown) => void): void {
  // Nobody is left to answer, and nothing failed here: the access log records the abort (info).
  if (isClientAbort(error, reply.request.raw)) return;
  if (error instanceof HttpException && error.getStatus() >= 500) {
    // Framework answers that are values, not failures (terminus readiness 503), keep their own body.
    void reply.status(error.getStatus()).send(error.getResponse());
    return;
  }
  const answer = errorAnswer(error, requestId, onUnexpected);
  noteErrorCode(reply.request, answer.body.error.code);
  if (answer.retryAfter !== undefined) void reply.header('Retry-After', answer.retryAfter);
  void reply.status(answer.status).send(answer.body);
}

/** The one exception filter: stable codes to HTTP, Retry-After on 429/503, the request id in every body. */
@Catch()
export class ErrorEnvelopeFilter implements ExceptionFilter {
  private readonly logger = new Logger('errors');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    replyWithError(http.getResponse<FastifyReply>(), request.id, error, (err) => this.logger.error({ err, requestId: request.id }, 'unexpected error'));
    // A provider that answers bad signatures is an operator's problem, not the client's: say so in
    // the log (code and request id only; the signature itself is never logged).
    if ((error as { code?: unknown } | null)?.code === 'KMS_SIGNATURE_INVALID') {
      this.logger.warn({ code: 'KMS_SIGNATURE_INVALID', requestId: request.id }, 'provider answered a signature that does not verify; not returned');
    }
  }
}
