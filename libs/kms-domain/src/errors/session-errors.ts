import { DomainError } from './domain-errors';

export class SessionNotFoundError extends DomainError {
  readonly code = 'SESSION_NOT_FOUND';
  constructor(readonly sessionId: string) {
    super(`Break-glass session ${sessionId} does not exist`);
  }
}

export class SessionAlreadyExistsError extends DomainError {
  readonly code = 'SESSION_ALREADY_EXISTS';
  constructor(readonly sessionId: string) {
    super(`Break-glass session ${sessionId} already exists`);
  }
}

/** Emergency signing outside an active, unexpired session with its key present. */
export class SessionNotActiveError extends DomainError {
  readonly code = 'SESSION_NOT_ACTIVE';
  constructor(
    readonly sessionId: string,
    reason: string,
  ) {
    super(`Break-glass session ${sessionId} is not active: ${reason}`);
  }
}

/** An approval the four-eyes rules refuse (requester, repeated principal or role, unknown role). */
export class ApprovalNotAllowedError extends DomainError {
  readonly code = 'APPROVAL_NOT_ALLOWED';
  constructor(
    readonly sessionId: string,
    reason: string,
  ) {
    super(`Approval of break-glass session ${sessionId} refused: ${reason}`);
  }
}
