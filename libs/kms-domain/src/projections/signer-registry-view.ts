import { evolveSignerRegistry } from '../signer-registry/signer-registry';
import type { SignerEntry, SignerRegistryEvent, SignerRegistryState } from '../signer-registry/signer-registry-types';
import { isSignerValidAt } from '../signer-registry/signer-validity';
import { defineProjection, isOneOf, type PositionedView } from './projection';

export interface SignerRegistryView extends PositionedView {
  readonly registry: SignerRegistryState;
}

const SIGNER_TYPES = new Set<SignerRegistryEvent['type']>(['SignerRegistered', 'SignerRetired']);

/** Signer registry view: every kid ever registered, with its public key and validity. */
export const signerRegistryProjection = defineProjection<SignerRegistryView>(
  'signer-registry',
  { position: null, registry: { signers: {} } },
  (view, { event }) => (isOneOf(event, SIGNER_TYPES) ? { ...view, registry: evolveSignerRegistry(view.registry, event) } : view),
);

/** All signers, sorted by kid (what a verifier distributes, e.g. as signers.json). */
export function signerRows(view: SignerRegistryView): SignerEntry[] {
  return Object.values(view.registry.signers).sort((a, b) => a.kid.localeCompare(b.kid));
}

/** Signers that may sign at `now`: valid and not retired. */
export function signersValidAt(view: SignerRegistryView, now: Date): SignerEntry[] {
  return signerRows(view).filter((s) => isSignerValidAt(s, now));
}
