import { createPrivateKey, createPublicKey, createSecretKey } from 'node:crypto';
import type { ExistingKeyState, KeyVersion } from '@keyledger/kms-domain';
import type { KeyOperationsPorts } from '../deps';
import { KeyOperationError } from '../errors';
import type { CachedKey } from '../cache/cached-key';
import type { KeyCache } from '../cache/key-cache';
import { unwrapMaterial } from '../material/key-material';
import type { ProviderGateway } from '../provider/provider-gateway';

type Found<K extends CachedKey['kind']> = { key: Extract<CachedKey, { kind: K }>; hit: boolean };

/**
 * The KeyRetrievalService: unwrapped key versions through the cache. A miss reads the wrapped
 * blob from the key's material stream and unwraps it through the provider (one call per miss, however
 * many requests wait for it); the plaintext is imported into a KeyObject and overwritten at once.
 */
export class KeyRetrieval {
  constructor(
    private readonly ports: KeyOperationsPorts,
    private readonly gateway: ProviderGateway,
    readonly cache: KeyCache,
  ) {}

  /** The private key of a wrapped signing key version when the cache holds it (see KeyCache.hit), else undefined. */
  cachedSigning(key: ExistingKeyState, version: KeyVersion): Extract<CachedKey, { kind: 'private' }> | undefined {
    const id = { tenantId: key.tenantId, keyId: key.keyId, version: version.version, kind: 'private' as const };
    return this.cache.hit(id, 'signing') as Extract<CachedKey, { kind: 'private' }> | undefined;
  }

  /** The private key of a wrapped signing key version. */
  async signing(key: ExistingKeyState, version: KeyVersion): Promise<Found<'private'>> {
    const id = { tenantId: key.tenantId, keyId: key.keyId, version: version.version, kind: 'private' as const };
    const found = await this.cache.get(id, 'signing', async () => {
      const der = await this.unwrap(key, version);
      try {
        const privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
        return { kind: 'private', privateKey, publicKey: createPublicKey(privateKey) };
      } finally {
        der.fill(0);
      }
    });
    return found as Found<'private'>;
  }

  /** The AES key of an encryption key version. */
  async secret(key: ExistingKeyState, version: KeyVersion): Promise<Found<'secret'>> {
    const id = { tenantId: key.tenantId, keyId: key.keyId, version: version.version, kind: 'secret' as const };
    const found = await this.cache.get(id, 'encryption', async () => {
      const raw = await this.unwrap(key, version);
      try {
        return { kind: 'secret', secretKey: createSecretKey(raw) };
      } finally {
        raw.fill(0);
      }
    });
    return found as Found<'secret'>;
  }

  /** The public key of a signing key version (derived locally, or asked of the provider). */
  async public(key: ExistingKeyState, version: KeyVersion): Promise<Found<'public'>> {
    const id = { tenantId: key.tenantId, keyId: key.keyId, version: version.version, kind: 'public' as const };
    const found = await this.cache.get(id, 'public', async () => {
      const material = version.material;
      if (material.mode === 'provider-resident') {
        const der = await this.gateway.call('kms-public-key', 'get_public_key', (p, signal) => p.getPublicKey(material.providerKeyRef, { signal }));
        return { kind: 'public', publicKey: createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' }) };
      }
      const { key: privateEntry } = await this.signing(key, version);
      return { kind: 'public', publicKey: privateEntry.publicKey };
    });
    return found as Found<'public'>;
  }

  private async unwrap(key: ExistingKeyState, version: KeyVersion): Promise<Buffer> {
    const material = version.material;
    if (material.mode !== 'wrapped') {
      throw new KeyOperationError('KEY_MATERIAL_UNAVAILABLE', `Key ${key.keyId} version ${version.version} is provider-resident`);
    }
    return unwrapMaterial(this.ports, this.gateway, key, version.version, material);
  }
}
