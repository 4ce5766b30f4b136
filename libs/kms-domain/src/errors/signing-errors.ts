import { DomainError } from './domain-errors';

/** Signing is frozen for the scope; the operator's reason is passed on to the caller. */
export class SigningFrozenError extends DomainError {
  readonly code = 'SIGNING_FROZEN';
  constructor(
    readonly scope: string,
    readonly reason: string,
    readonly frozenAt: string,
  ) {
    super(`Signing is frozen (${scope}) since ${frozenAt}: ${reason}`);
  }
}

export class SignerNotFoundError extends DomainError {
  readonly code = 'SIGNER_NOT_FOUND';
  constructor(readonly kid: string) {
    super(`Signer ${kid} is not registered`);
  }
}

/** A signer kid is never reused, even after the signer was retired. */
export class SignerKidReusedError extends DomainError {
  readonly code = 'SIGNER_KID_REUSED';
  constructor(readonly kid: string) {
    super(`Signer kid ${kid} was already registered and cannot be reused`);
  }
}
