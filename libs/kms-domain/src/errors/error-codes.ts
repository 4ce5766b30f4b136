/**
 * Every code a domain error can carry. Stable: clients and the API's exception filter match on
 * these strings, so a code is never renamed or reused for another meaning.
 */
export const DOMAIN_ERROR_CODES = [
  'VALIDATION_FAILED',
  'INVALID_STATE_TRANSITION',
  'KEY_NOT_FOUND',
  'KEY_ALREADY_EXISTS',
  'KEY_DISABLED',
  'KEY_PENDING_DELETION',
  'KEY_DESTROYED',
  'KEY_DELETION_NOT_DUE',
  'KEY_VERSION_NOT_ALLOWED',
  'KEY_VERSION_DESTROYED',
  'SESSION_NOT_FOUND',
  'SESSION_ALREADY_EXISTS',
  'SESSION_NOT_ACTIVE',
  'APPROVAL_NOT_ALLOWED',
  'SIGNING_FROZEN',
  'SIGNER_NOT_FOUND',
  'SIGNER_KID_REUSED',
  'ROTATION_JOB_NOT_FOUND',
] as const;

/** One of {@link DOMAIN_ERROR_CODES}. */
export type DomainErrorCode = (typeof DOMAIN_ERROR_CODES)[number];

const CODE_SET: ReadonlySet<string> = new Set(DOMAIN_ERROR_CODES);

/** True when `code` is a domain error code (for mapping codes that crossed a boundary as strings). */
export function isDomainErrorCode(code: unknown): code is DomainErrorCode {
  return typeof code === 'string' && CODE_SET.has(code);
}
