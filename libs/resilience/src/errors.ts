import { KeyledgerError } from '@keyledger/kms-domain';

/** Stable codes of the errors this lib raises itself; the API maps them to HTTP statuses. */
export const RESILIENCE_ERROR_CODES = [
  'BREAKER_OPEN',
  'TIMEOUT',
  'BULKHEAD_FULL',
  'DEADLINE_EXCEEDED',
  'RESILIENCE_CONFIG_INVALID',
] as const;
export type ResilienceErrorCode = (typeof RESILIENCE_ERROR_CODES)[number];

const BRAND = Symbol.for('keyledger.resilience.error');

/**
 * Base of the errors raised by the policies themselves (never by the guarded call). Carries a
 * brand so guards work across copies of the lib, where `instanceof` would not.
 */
export abstract class ResilienceError extends KeyledgerError {
  abstract override readonly code: ResilienceErrorCode;
  readonly [BRAND] = true;
}

/** The breaker refused the call without running it. `retryAfterMs` feeds HTTP Retry-After. */
export class BreakerOpenError extends ResilienceError {
  override readonly code = 'BREAKER_OPEN';
  constructor(
    readonly breakerName: string,
    readonly retryAfterMs: number,
  ) {
    super(`Circuit breaker '${breakerName}' is OPEN - blocking all requests`);
  }
}

/** The call did not settle within its time budget; its AbortSignal has been aborted. */
export class TimeoutError extends ResilienceError {
  override readonly code = 'TIMEOUT';
  constructor(readonly timeoutMs: number) {
    super(`Call timed out after ${timeoutMs} ms`);
  }
}

/** Every concurrent slot and every queue place was taken; the call was refused at once. */
export class BulkheadFullError extends ResilienceError {
  override readonly code = 'BULKHEAD_FULL';
  constructor(
    readonly maxConcurrent: number,
    readonly maxQueue: number,
  ) {
    super(`Bulkhead full: ${maxConcurrent} calls running and ${maxQueue} queued`);
  }
}

/** Retrying would overrun the overall deadline; `cause` is the last attempt's error. */
export class DeadlineExceededError extends ResilienceError {
  override readonly code = 'DEADLINE_EXCEEDED';
  constructor(
    readonly deadlineMs: number,
    readonly attempts: number,
    cause: unknown,
  ) {
    super(`Gave up after ${attempts} attempt(s): the ${deadlineMs} ms deadline does not allow another`, {
      cause,
    });
  }
}

/** Bad resilience settings; one line per problem, safe to print (values are numbers, never secrets). */
export class ResilienceConfigError extends ResilienceError {
  override readonly code = 'RESILIENCE_CONFIG_INVALID';
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
  }
}

/** True when `error` was raised by this lib, optionally with the given code. Checks the brand. */
export function isResilienceError(error: unknown, code?: ResilienceErrorCode): error is ResilienceError {
  if (typeof error !== 'object' || error === null || (error as Record<symbol, unknown>)[BRAND] !== true) {
    return false;
  }
  return code === undefined || (error as ResilienceError).code === code;
}

/** True for the breaker's fail-fast rejection. */
export function isBreakerOpenError(error: unknown): error is BreakerOpenError {
  return isResilienceError(error, 'BREAKER_OPEN');
}

/** True for this lib's own timeout. */
export function isTimeoutError(error: unknown): error is TimeoutError {
  return isResilienceError(error, 'TIMEOUT');
}
