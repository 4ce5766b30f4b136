import { KeyledgerError } from '@keyledger/kms-domain';

/** A proof or root asked for a tree size, leaf index or range the log does not have (HTTP 400/404). */
export class ProofRangeError extends KeyledgerError {
  readonly code = 'AUDIT_PROOF_RANGE';

  constructor(detail: string) {
    super(`audit proof out of range: ${detail}`);
  }
}

/** No audited event has this id (key-material streams and checkpoints are not in the tree). */
export class AuditedEventNotFoundError extends KeyledgerError {
  readonly code = 'AUDIT_EVENT_NOT_FOUND';

  constructor(readonly eventId: string) {
    super(`no audited event with id ${eventId}`);
  }
}

/** A signed note or key that cannot be parsed or used (bad format, unsupported key type). */
export class AuditFormatError extends KeyledgerError {
  readonly code = 'AUDIT_FORMAT_INVALID';

  constructor(detail: string) {
    super(`audit format: ${detail}`);
  }
}

/** The provider's audit key does not match the recorded one, or signs what the recorded key does not verify: fail closed. */
export class AuditKeyMismatchError extends KeyledgerError {
  readonly code = 'AUDIT_KEY_MISMATCH';

  constructor(detail: string) {
    super(`audit key: ${detail}`);
  }
}

/**
 * A remote source (the API) could not be read: `AUDIT_SOURCE_UNREACHABLE` (refused, DNS, timeout),
 * `AUDIT_SOURCE_DENIED` (401/403: the token), `AUDIT_SOURCE_FAILED` (any other error status).
 * Messages name the base URL, never the token.
 */
export class AuditSourceError extends KeyledgerError {
  constructor(
    readonly code: 'AUDIT_SOURCE_UNREACHABLE' | 'AUDIT_SOURCE_DENIED' | 'AUDIT_SOURCE_FAILED',
    detail: string,
  ) {
    super(detail);
  }
}

/** Every error the audit lib throws on purpose, by stable code. */
export type AuditError = ProofRangeError | AuditedEventNotFoundError | AuditFormatError | AuditKeyMismatchError | AuditSourceError;

const AUDIT_CODES: ReadonlySet<string> = new Set([
  'AUDIT_PROOF_RANGE',
  'AUDIT_EVENT_NOT_FOUND',
  'AUDIT_FORMAT_INVALID',
  'AUDIT_KEY_MISMATCH',
  'AUDIT_SOURCE_UNREACHABLE',
  'AUDIT_SOURCE_DENIED',
  'AUDIT_SOURCE_FAILED',
]);

/** Brand check on the code, not `instanceof`. */
export function isAuditError(error: unknown): error is AuditError {
  return error instanceof Error && AUDIT_CODES.has((error as { code?: unknown }).code as string);
}
