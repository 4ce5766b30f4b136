import { createPublicKey, type JsonWebKey } from 'node:crypto';
import {
  authorizeKeyUse,
  signersValidAt,
  ValidationError,
  type Clock,
  type ExistingKeyState,
  type KeySigningAlgorithm,
} from '@keyledger/kms-domain';
import type { KeyViews } from '../views/key-views';
import type { KeyRetrieval } from './key-retrieval';
import { lookupKey } from './lookup';
import { JOSE_ALG, kidOf, publicKeyForms } from './signatures';

export interface PublicKeyResult {
  readonly keyId: string;
  readonly keyVersion: number;
  readonly kid: string;
  readonly algorithm: KeySigningAlgorithm;
  readonly pem: string;
  readonly jwk: JsonWebKey;
}

/** Public keys of signing keys: one version as PEM and JWK, and a tenant's JWKS. */
export class PublicKeys {
  constructor(
    private readonly views: KeyViews,
    private readonly retrieval: KeyRetrieval,
    private readonly clock: Clock,
  ) {}

  /** `version` defaults to the primary; it must be enabled for verification. */
  async publicKey(tenantId: string, keyId: string, version?: number): Promise<PublicKeyResult> {
    const key = lookupKey(this.views, tenantId, keyId);
    if (key.purpose !== 'sign') throw new ValidationError('keyId', 'an encrypt key has no public key');
    const v = authorizeKeyUse(key, { tenantId, keyId, operation: 'verify', version: version ?? key.primaryVersion });
    return this.forms(key, v.version);
  }

  /**
   * The tenant's JWKS: every verifiable version of its enabled signing keys, and the public keys of
   * active break-glass signers (so emergency signatures verify with the same document).
   */
  async jwks(tenantId: string): Promise<{ keys: JsonWebKey[] }> {
    const keys: JsonWebKey[] = [];
    const entries = Object.values(this.views.snapshot().keys.keys)
      .filter((k) => k.tenantId === tenantId && k.purpose === 'sign' && k.status === 'Enabled')
      .sort((a, b) => a.keyId.localeCompare(b.keyId));
    for (const key of entries) {
      for (const v of key.versions.filter((x) => x.version >= key.minDecryptionVersion)) {
        keys.push((await this.forms(key, v.version)).jwk);
      }
    }
    for (const signer of signersValidAt(this.views.snapshot().signers, this.clock.now())) {
      if (signer.owner.kind !== 'break-glass') continue;
      const jwk = createPublicKey(signer.publicKey).export({ format: 'jwk' });
      keys.push({ ...jwk, kid: signer.kid, alg: JOSE_ALG[signer.algorithm], use: 'sig' });
    }
    return { keys };
  }

  private async forms(key: ExistingKeyState, version: number): Promise<PublicKeyResult> {
    const v = key.versions.find((x) => x.version === version);
    if (!v) throw new ValidationError('version', 'no such version');
    const { key: cached } = await this.retrieval.public(key, v);
    const algorithm = key.algorithm as KeySigningAlgorithm;
    const kid = kidOf(key.keyId, version);
    return { keyId: key.keyId, keyVersion: version, kid, algorithm, ...publicKeyForms(algorithm, cached.publicKey, kid) };
  }
}
