import type { DomainEvent, IsoTimestamp } from '../shared/domain-event';

/**
 * The one event that carries (wrapped, never plaintext) key material. It lives only in the key's
 * material stream (`keyMaterialStream`), which is deleted when the key is destroyed; the lifecycle
 * stream records only `wrappedMaterialSha256`, the SHA-256 of `wrappedMaterial`.
 */
export type KeyMaterialWrapped = DomainEvent<
  'KeyMaterialWrapped',
  {
    readonly tenantId: string;
    readonly keyId: string;
    readonly version: number;
    /** Base64 of the provider's ciphertext blob. */
    readonly wrappedMaterial: string;
    /** SHA-256 hex of the decoded `wrappedMaterial`; equals the lifecycle event's reference. */
    readonly wrappedMaterialSha256: string;
    readonly masterKeyRef: string;
    /** Encryption context bound at wrap time; must be presented again to unwrap. */
    readonly encryptionContext: Readonly<Record<string, string>>;
    readonly wrappedAt: IsoTimestamp;
  }
>;
