import { evolveSignerRegistry } from '../signer-registry/signer-registry';
import type { SignerEntry, SignerRegistryEvent, SignerRegistryState } from '../signer-registry/signer-registry-types';
import { isSignerValidAt } from '../signer-registry/signer-validity';
import { ownEntry } from '../shared/validation';
import type { PositionedView } from './projection';
import { defineTableProjection } from './table-projection';

export interface SignerRegistryView extends PositionedView {
  readonly registry: SignerRegistryState;
}

const SIGNER_TYPES = new Set<SignerRegistryEvent['type']>(['SignerRegistered', 'SignerRetired']);

/** One kid's entry after an event: the aggregate's own evolve, run on a registry of that one entry. */
function nextSigner(current: SignerEntry | undefined, event: SignerRegistryEvent): SignerEntry | undefined {
  const kid = event.data.kid;
  const signers: Record<string, SignerEntry> = {};
  if (current !== undefined) Object.defineProperty(signers, kid, { value: current, enumerable: true, writable: true, configurable: true });
  const after = evolveSignerRegistry({ signers }, event);
  return after.signers === signers ? undefined : ownEntry(after.signers, kid);
}

/** Signer registry view: every kid ever registered, with its public key and validity. */
export const signerRegistryProjection = defineTableProjection<SignerRegistryView, SignerRegistryEvent['type'], SignerEntry>(
  'signer-registry',
  { position: null, registry: { signers: {} } },
  {
    table: (view) => view.registry.signers,
    build: (view, position, signers) => ({ position, registry: signers === view.registry.signers ? view.registry : { signers } }),
  },
  { types: SIGNER_TYPES, keyOf: (event) => event.data.kid, next: nextSigner },
);

/** All signers, sorted by kid (what a verifier distributes, e.g. as signers.json). */
export function signerRows(view: SignerRegistryView): SignerEntry[] {
  return Object.values(view.registry.signers).sort((a, b) => a.kid.localeCompare(b.kid));
}

/** Signers that may sign at `now`: valid and not retired. */
export function signersValidAt(view: SignerRegistryView, now: Date): SignerEntry[] {
  return signerRows(view).filter((s) => isSignerValidAt(s, now));
}
