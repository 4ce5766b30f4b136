import { SignerNotFoundError } from '../errors/signing-errors';
import { ownEntry } from '../shared/validation';
import type { SignerEntry, SignerRegistryState } from './signer-registry-types';

/**
 * True when a signature made at `at` by this signer is acceptable: inside its validity window and
 * before its retirement. Retiring a signer stops new signatures without invalidating older ones.
 */
export function isSignerValidAt(signer: SignerEntry, at: Date): boolean {
  const t = at.getTime();
  if (t < Date.parse(signer.validFrom)) return false;
  if (signer.validUntil !== null && t >= Date.parse(signer.validUntil)) return false;
  return signer.status === 'Active' || t < Date.parse(signer.retiredAt);
}

/** Looks a kid up for verification; unknown kids are SIGNER_NOT_FOUND. */
export function findSigner(state: SignerRegistryState, kid: string): SignerEntry {
  const signer = ownEntry(state.signers, kid);
  if (!signer) throw new SignerNotFoundError(kid);
  return signer;
}
