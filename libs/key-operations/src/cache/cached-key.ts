import type { KeyObject } from 'node:crypto';

/**
 * An unwrapped key as the cache holds it. Secret and private material lives only inside
 * `KeyObject`s (native memory, cleansed by the runtime when freed); the plaintext buffers it was
 * imported from are overwritten right after import.
 */
export type CachedKey =
  | { readonly kind: 'private'; readonly privateKey: KeyObject; readonly publicKey: KeyObject }
  | { readonly kind: 'secret'; readonly secretKey: KeyObject }
  | { readonly kind: 'public'; readonly publicKey: KeyObject };

/** What an entry is kept for: private/secret entries expire after the private TTL, public ones after the public TTL. */
export type CacheKind = CachedKey['kind'];

/** Identifies one cache entry: a tenant key version in one form. */
export interface CacheId {
  readonly tenantId: string;
  readonly keyId: string;
  readonly version: number;
  readonly kind: CacheKind;
}

export const cacheKeyOf = (id: CacheId): string => `${id.tenantId}:${id.keyId}:${id.version}:${id.kind}`;
export const keyPrefixOf = (tenantId: string, keyId: string): string => `${tenantId}:${keyId}:`;
