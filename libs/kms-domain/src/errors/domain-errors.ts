import { KeyledgerError } from './keyledger-error';
import { isDomainErrorCode, type DomainErrorCode } from './error-codes';

/**
 * Base of the domain's closed error hierarchy. Each subclass fixes one stable `code`; messages name
 * ids and states, never key material, plaintext or tokens.
 */
export abstract class DomainError extends KeyledgerError {
  abstract override readonly code: DomainErrorCode;
}

/**
 * Brand check rather than `instanceof`, so errors still match when two copies of this lib are
 * loaded (bundles, tests) or when an error was rebuilt from its code.
 */
export function isDomainError(error: unknown): error is DomainError {
  return error instanceof Error && isDomainErrorCode((error as { code?: unknown }).code);
}

/** Bad command input: a missing, malformed or out-of-range field. */
export class ValidationError extends DomainError {
  readonly code = 'VALIDATION_FAILED';
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(`Invalid ${field}: ${reason}`);
  }
}

/** A command that the aggregate's current state does not allow. */
export class InvalidStateTransitionError extends DomainError {
  readonly code = 'INVALID_STATE_TRANSITION';
  constructor(
    readonly aggregate: string,
    readonly status: string,
    readonly command: string,
    detail?: string,
  ) {
    super(`${aggregate} in state ${status} does not accept ${command}${detail ? `: ${detail}` : ''}`);
  }
}

/** Structural description of a key, carried by key errors. */
export interface KeyRef {
  readonly tenantId: string;
  readonly keyId: string;
}

const keyName = (key: KeyRef): string => `Key ${key.keyId} of tenant ${key.tenantId}`;

/** Copies only the ids, so an error never holds on to a whole command (and whatever it carries). */
const refOf = (key: KeyRef): KeyRef => ({ tenantId: key.tenantId, keyId: key.keyId });

/** Base of the errors about one key; `key` holds its ids only. */
export abstract class KeyError extends DomainError {
  readonly key: KeyRef;
  protected constructor(key: KeyRef, message: string) {
    super(`${keyName(key)} ${message}`);
    this.key = refOf(key);
  }
}

export class KeyNotFoundError extends KeyError {
  readonly code = 'KEY_NOT_FOUND';
  constructor(key: KeyRef) {
    super(key, 'does not exist');
  }
}

export class KeyAlreadyExistsError extends KeyError {
  readonly code = 'KEY_ALREADY_EXISTS';
  constructor(key: KeyRef) {
    super(key, 'already exists');
  }
}

/** The key is disabled: it cannot sign, encrypt or rotate until enabled again. */
export class KeyDisabledError extends KeyError {
  readonly code = 'KEY_DISABLED';
  constructor(key: KeyRef, operation: string) {
    super(key, `is disabled and cannot ${operation}`);
  }
}

/** The key is scheduled for deletion: only cancellation or destruction is accepted. */
export class KeyPendingDeletionError extends KeyError {
  readonly code = 'KEY_PENDING_DELETION';
  constructor(
    key: KeyRef,
    readonly deleteAfter: string,
  ) {
    super(key, `is pending deletion (after ${deleteAfter})`);
  }
}

/** The key was destroyed and accepts nothing. */
export class KeyDestroyedError extends KeyError {
  readonly code = 'KEY_DESTROYED';
  constructor(key: KeyRef) {
    super(key, 'was destroyed');
  }
}

/** Destruction asked before the pending-deletion window has elapsed. */
export class KeyDeletionNotDueError extends KeyError {
  readonly code = 'KEY_DELETION_NOT_DUE';
  constructor(
    key: KeyRef,
    readonly deleteAfter: string,
  ) {
    super(key, `cannot be destroyed before ${deleteAfter}`);
  }
}

/** A key version that does not exist or is below the key's `minDecryptionVersion`. */
export class KeyVersionNotAllowedError extends KeyError {
  readonly code = 'KEY_VERSION_NOT_ALLOWED';
  constructor(
    key: KeyRef,
    readonly version: number,
    reason: string,
  ) {
    super(key, `version ${version} is not allowed: ${reason}`);
  }
}

/** A version below the key's `minAvailableVersion`: its material was destroyed by a trim. */
export class KeyVersionDestroyedError extends KeyError {
  readonly code = 'KEY_VERSION_DESTROYED';
  constructor(
    key: KeyRef,
    readonly version: number,
    minAvailableVersion: number,
  ) {
    super(key, `version ${version} was destroyed (trimmed below version ${minAvailableVersion}); data sealed or signed with it can no longer be opened or verified`);
  }
}

/** No rotate-all job has this id. The message does not repeat the id (it came from a request path). */
export class RotationJobNotFoundError extends DomainError {
  readonly code = 'ROTATION_JOB_NOT_FOUND';
  constructor() {
    super('No rotation job has this id');
  }
}
