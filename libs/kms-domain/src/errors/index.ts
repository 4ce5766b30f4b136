export { DOMAIN_ERROR_CODES, isDomainErrorCode, type DomainErrorCode } from './error-codes';
export * from './domain-errors';
export * from './session-errors';
export * from './signing-errors';
