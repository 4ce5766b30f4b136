import { createPublicKey, type JsonWebKey } from 'node:crypto';
import {
  authorizeKeyUse,
  isSignerValidAt,
  ValidationError,
  type Clock,
  type ExistingKeyState,
  type KeySigningAlgorithm,
  type Scope,
  type SignerEntry,
} from '@keyledger/kms-domain';
import { keyVersionSigner } from '../signers/registered-keys';
import type { Signers } from '../signers/signers';
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

/** Which tenants a break-glass session covers (by session id); undefined for an unknown session. */
export type SessionScopeOf = (sessionId: string) => Scope | undefined;

const covers = (scope: Scope | undefined, tenantId: string): boolean =>
  scope !== undefined && (scope.kind === 'global' || scope.tenantId === tenantId);

/**
 * Public keys of signing keys: one version as PEM and JWK, and a tenant's JWKS. Both read the
 * signer registry view first (no provider call); a version the registry does not hold yet is
 * derived through the key cache.
 */
export class PublicKeys {
  constructor(
    private readonly views: KeyViews,
    private readonly retrieval: KeyRetrieval,
    private readonly clock: Clock,
    private readonly signers?: Signers,
    private readonly sessionScopeOf?: SessionScopeOf,
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
   * the break-glass signers valid now whose session covers the tenant (global or this tenant), so
   * emergency signatures verify with the same document.
   */
  async jwks(tenantId: string): Promise<{ keys: JsonWebKey[] }> {
    const keys: JsonWebKey[] = [];
    let cursor: string | null = null;
    do {
      const page = this.views.models.keys.listTenant(tenantId, { limit: 500, cursor });
      for (const key of page.items) {
        if (key.purpose !== 'sign' || key.status !== 'Enabled') continue;
        for (const v of key.versions.filter((x) => x.version >= key.minDecryptionVersion)) keys.push((await this.forms(key, v.version)).jwk);
      }
      cursor = page.next;
    } while (cursor !== null);
    const now = this.clock.now();
    for (const signer of this.views.models.signers.activeBreakGlass()) {
      if (signer.owner.kind !== 'break-glass' || !isSignerValidAt(signer, now)) continue;
      if (this.sessionScopeOf && !covers(this.sessionScopeOf(signer.owner.sessionId), tenantId)) continue;
      keys.push(jwkOf(signer));
    }
    return { keys };
  }

  private async forms(key: ExistingKeyState, version: number): Promise<PublicKeyResult> {
    const v = key.versions.find((x) => x.version === version);
    if (!v) throw new ValidationError('version', 'no such version');
    const algorithm = key.algorithm as KeySigningAlgorithm;
    const kid = kidOf(key.keyId, version);
    const registered = this.signers && keyVersionSigner(this.signers, key, version);
    const publicKey = registered ? this.signers?.publicKeyOf(registered) : (await this.retrieval.public(key, v)).key.publicKey;
    if (!publicKey) throw new ValidationError('version', 'no public key');
    return { keyId: key.keyId, keyVersion: version, kid, algorithm, ...publicKeyForms(algorithm, publicKey, kid) };
  }
}

/** A registered signer as a JWK with kid, alg and use. */
function jwkOf(signer: SignerEntry): JsonWebKey {
  const jwk = createPublicKey(signer.publicKey).export({ format: 'jwk' });
  return { ...jwk, kid: signer.kid, alg: JOSE_ALG[signer.algorithm], use: 'sig' };
}
