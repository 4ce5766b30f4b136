import type { DomainEvent, IsoTimestamp } from '../shared/domain-event';
import type { KeySigningAlgorithm } from '../key/key-types';

/** Who a signer belongs to: a tenant key version, or a break-glass session's emergency key. */
export type SignerOwner =
  | { readonly kind: 'key-version'; readonly tenantId: string; readonly keyId: string; readonly version: number }
  | { readonly kind: 'break-glass'; readonly sessionId: string };

export type SignerRegistered = DomainEvent<
  'SignerRegistered',
  {
    readonly kid: string;
    /** PEM (SPKI) public key; public by nature. */
    readonly publicKey: string;
    readonly algorithm: KeySigningAlgorithm;
    readonly owner: SignerOwner;
    readonly validFrom: IsoTimestamp;
    /** `null`: valid until retired. */
    readonly validUntil: IsoTimestamp | null;
    readonly registeredAt: IsoTimestamp;
  }
>;

/** Schema version 2 added `reason` (v1 events upcast with `reason: null`, see EVENT_UPCASTERS). */
export type SignerRetired = DomainEvent<
  'SignerRetired',
  { readonly kid: string; readonly reason: string | null; readonly retiredAt: IsoTimestamp },
  2
>;

export type SignerRegistryEvent = SignerRegistered | SignerRetired;

export interface RegisterSigner {
  readonly type: 'RegisterSigner';
  readonly kid: string;
  readonly publicKey: string;
  readonly algorithm: KeySigningAlgorithm;
  readonly owner: SignerOwner;
  readonly validFrom: Date;
  readonly validUntil?: Date | null;
  readonly now: Date;
}

export interface RetireSigner {
  readonly type: 'RetireSigner';
  readonly kid: string;
  readonly reason?: string;
  readonly now: Date;
}

export type SignerRegistryCommand = RegisterSigner | RetireSigner;

/** One registered signer; retired signers stay, so their old signatures remain verifiable. */
export type SignerEntry = Omit<SignerRegistered['data'], 'registeredAt'> & { readonly registeredAt: IsoTimestamp } & (
    | { readonly status: 'Active' }
    | { readonly status: 'Retired'; readonly retiredAt: IsoTimestamp }
  );

/** Every kid ever registered, by kid. */
export interface SignerRegistryState {
  readonly signers: Readonly<Record<string, SignerEntry>>;
}
