import { InvalidStateTransitionError, ValidationError } from '../errors/domain-errors';
import { SignerKidReusedError, SignerNotFoundError } from '../errors/signing-errors';
import { assertNever, unknownCommand } from '../shared/assert-never';
import type { Decider } from '../shared/decider';
import { toIso } from '../shared/time';
import { SIGNING_ALGORITHMS } from '../key/key-types';
import {
  ownEntry,
  requireDate,
  requireId,
  requireInt,
  requireOneOf,
  requireOpaque,
  requireText,
} from '../shared/validation';
import type {
  RegisterSigner,
  RetireSigner,
  SignerOwner,
  SignerRegistered,
  SignerRegistryCommand,
  SignerRegistryEvent,
  SignerRegistryState,
  SignerRetired,
} from './signer-registry-types';

export const MAX_PUBLIC_KEY_LENGTH = 8192;

function requireOwner(value: unknown): SignerOwner {
  const owner = value as Partial<Record<string, unknown>> | null | undefined;
  if (owner?.kind === 'key-version') {
    return {
      kind: 'key-version',
      tenantId: requireId('owner.tenantId', owner.tenantId),
      keyId: requireId('owner.keyId', owner.keyId),
      version: requireInt('owner.version', owner.version, 1, Number.MAX_SAFE_INTEGER),
    };
  }
  if (owner?.kind === 'break-glass') return { kind: 'break-glass', sessionId: requireId('owner.sessionId', owner.sessionId) };
  throw new ValidationError('owner', "expected kind 'key-version' or 'break-glass'");
}

function register(command: RegisterSigner, state: SignerRegistryState): SignerRegistered[] {
  const kid = requireId('kid', command.kid);
  const validFrom = requireDate('validFrom', command.validFrom);
  const validUntil = command.validUntil == null ? null : requireDate('validUntil', command.validUntil);
  if (validUntil && validUntil.getTime() <= validFrom.getTime()) {
    throw new ValidationError('validUntil', 'must be after validFrom');
  }
  const data = {
    kid,
    publicKey: requireOpaque('publicKey', command.publicKey, MAX_PUBLIC_KEY_LENGTH),
    algorithm: requireOneOf('algorithm', command.algorithm, SIGNING_ALGORITHMS),
    owner: requireOwner(command.owner),
    validFrom: toIso(validFrom),
    validUntil: validUntil && toIso(validUntil),
    registeredAt: toIso(command.now),
  };
  if (ownEntry(state.signers, kid)) throw new SignerKidReusedError(kid);
  return [{ type: 'SignerRegistered', schemaVersion: 1, data }];
}

function retire(command: RetireSigner, state: SignerRegistryState): SignerRetired[] {
  const kid = requireId('kid', command.kid);
  const reason = command.reason === undefined ? null : requireText('reason', command.reason, 1, 500);
  const signer = ownEntry(state.signers, kid);
  if (!signer) throw new SignerNotFoundError(kid);
  if (signer.status === 'Retired') throw new InvalidStateTransitionError('Signer', 'Retired', command.type);
  return [{ type: 'SignerRetired', schemaVersion: 2, data: { kid, reason, retiredAt: toIso(command.now) } }];
}

/** Registers or retires a signer; a kid is never reused. */
export function decideSignerRegistry(command: SignerRegistryCommand, state: SignerRegistryState): SignerRegistryEvent[] {
  requireDate('now', command.now);
  switch (command.type) {
    case 'RegisterSigner':
      return register(command, state);
    case 'RetireSigner':
      return retire(command, state);
    default:
      return unknownCommand(command);
  }
}

export function evolveSignerRegistry(state: SignerRegistryState, event: SignerRegistryEvent): SignerRegistryState {
  switch (event.type) {
    case 'SignerRegistered':
      return { signers: { ...state.signers, [event.data.kid]: { ...event.data, status: 'Active' } } };
    case 'SignerRetired': {
      const signer = ownEntry(state.signers, event.data.kid);
      if (!signer) return state;
      return { signers: { ...state.signers, [signer.kid]: { ...signer, status: 'Retired', retiredAt: event.data.retiredAt } } };
    }
    default:
      return assertNever(event, 'signer registry event');
  }
}

/** The SignerRegistry aggregate (a single stream, see `signerRegistryStream`). */
export const signerRegistryDecider: Decider<SignerRegistryCommand, SignerRegistryEvent, SignerRegistryState> = {
  decide: decideSignerRegistry,
  evolve: evolveSignerRegistry,
  initialState: () => ({ signers: {} }),
};
