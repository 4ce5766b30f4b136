import { createHash, randomBytes } from 'node:crypto';
import {
  SHA256_DIGEST_BYTES,
  ValidationError,
  assertSigningAllowed,
  authorizeKeyUse,
  freezeStatesOf,
  KmsProviderError,
  type ExistingKeyState,
  type KmsProviderKind,
  type KeySigningAlgorithm,
} from '@keyledger/kms-domain';
import { invalidCiphertext } from '../errors';
import type { ProviderGateway } from '../provider/provider-gateway';
import { registeredPublicKey } from '../signers/registered-keys';
import type { Signers } from '../signers/signers';
import type { KeyViews } from '../views/key-views';
import { openCiphertext, parseCiphertext, requireContext, sealCiphertext } from './ciphertext';
import type { KeyRetrieval } from './key-retrieval';
import { signDigest, verifyDigest } from './digest-signatures';
import { kidOf, signMessage, verifyMessage } from './signatures';
import { lookupKey } from './lookup';

/** What to sign or verify: the message itself, or (ECDSA P-256 keys) its SHA-256 digest. */
export type SignInput = { readonly message: Uint8Array } | { readonly digest: Uint8Array };

export interface SignResult {
  readonly signature: Buffer;
  readonly keyVersion: number;
  readonly kid: string;
  readonly algorithm: KeySigningAlgorithm;
}

export interface DataKeyResult {
  readonly ciphertext: string;
  readonly plaintext: Buffer | null;
  readonly keyVersion: number;
}

export const DATA_KEY_BITS = [128, 256] as const;

/**
 * Signing and envelope encryption on tenant keys. Each operation reads the key from the status
 * view, lets `authorizeKeyUse` pick the version (failing closed on any other state), checks the
 * signing freeze before signing, and uses only the key asked for.
 */
export class CryptoOperations {
  constructor(
    private readonly views: KeyViews,
    private readonly retrieval: KeyRetrieval,
    private readonly gateway: ProviderGateway,
    private readonly signers?: Signers,
  ) {}

  async sign(tenantId: string, keyId: string, input: SignInput): Promise<SignResult> {
    const key = lookupKey(this.views, tenantId, keyId);
    assertSigningAllowed(...freezeStatesOf(this.views.models.freeze, tenantId));
    const version = authorizeKeyUse(key, { tenantId, keyId, operation: 'sign' });
    const algorithm = key.algorithm as KeySigningAlgorithm;
    const result = (signature: Buffer) => ({ signature, keyVersion: version.version, kid: kidOf(keyId, version.version), algorithm });
    const material = version.material;
    if (material.mode === 'provider-resident') {
      const digest = 'digest' in input ? requireDigest(input.digest) : createHash('sha256').update(input.message).digest();
      // The provider's answer is checked before it is returned: a peer that hashes the digest
      // again (or a broken HSM) must not hand out signatures nobody can verify.
      const publicKey = (this.signers && registeredPublicKey(this.signers, key, version.version)) ?? (await this.retrieval.public(key, version)).key.publicKey;
      const der = await this.gateway.call('kms-signing-key', 'sign', async (p, signal) => {
        const answered = Buffer.from(await p.sign(material.providerKeyRef, digest, 'ECDSA_SHA_256', { signal }));
        if (!verifyDigest(algorithm, keyId, publicKey, digest, answered)) throw signatureInvalid(p.kind);
        return answered;
      });
      return result(der);
    }
    const digest = 'digest' in input ? requireDigest(input.digest) : null;
    const cached = this.retrieval.cachedSigning(key, version) ?? (await this.retrieval.signing(key, version)).key;
    return result(digest ? signDigest(algorithm, keyId, cached.privateKey, digest) : signMessage(algorithm, cached.privateKey, (input as { message: Uint8Array }).message));
  }

  /**
   * Verifies with `keyVersion` (default: primary), which must be at least minDecryptionVersion;
   * a digest (ECDSA P-256 keys) is checked as given. The public key comes from the signer
   * registry when the version is registered (no provider call: old signatures verify during an
   * outage), else through the key cache.
   */
  async verify(tenantId: string, keyId: string, input: SignInput, signature: Uint8Array, keyVersion?: number): Promise<{ valid: boolean; keyVersion: number }> {
    const key = lookupKey(this.views, tenantId, keyId);
    const version = authorizeKeyUse(key, { tenantId, keyId, operation: 'verify', version: keyVersion ?? primaryOf(key) });
    const algorithm = key.algorithm as KeySigningAlgorithm;
    const digest = 'digest' in input ? requireDigest(input.digest) : null;
    const publicKey = (this.signers && registeredPublicKey(this.signers, key, version.version)) ?? (await this.retrieval.public(key, version)).key.publicKey;
    const valid = digest ? verifyDigest(algorithm, keyId, publicKey, digest, signature) : verifyMessage(algorithm, publicKey, (input as { message: Uint8Array }).message, signature);
    return { valid, keyVersion: version.version };
  }

  /** Seals with the primary version into a self-describing `kl1.` ciphertext. */
  async encrypt(tenantId: string, keyId: string, plaintext: Uint8Array, context?: unknown): Promise<{ ciphertext: string; keyVersion: number }> {
    const ctx = requireContext(context);
    const key = lookupKey(this.views, tenantId, keyId);
    const version = authorizeKeyUse(key, { tenantId, keyId, operation: 'encrypt' });
    const { key: cached } = await this.retrieval.secret(key, version);
    return { ciphertext: sealCiphertext(cached.secretKey, { tenantId, keyId, version: version.version }, plaintext, ctx), keyVersion: version.version };
  }

  async decrypt(tenantId: string, keyId: string, ciphertext: unknown, context?: unknown): Promise<{ plaintext: Buffer; keyVersion: number }> {
    const ctx = requireContext(context);
    const parsed = parseCiphertext(ciphertext);
    if (parsed.header.tenantId !== tenantId || parsed.header.keyId !== keyId) throw invalidCiphertext('it was sealed under another key');
    const key = lookupKey(this.views, tenantId, keyId);
    const version = authorizeKeyUse(key, { tenantId, keyId, operation: 'decrypt', version: parsed.header.version });
    const { key: cached } = await this.retrieval.secret(key, version);
    return { plaintext: openCiphertext(cached.secretKey, parsed, ctx), keyVersion: version.version };
  }

  /** Decrypts and seals again under the primary version; the plaintext never leaves this call. */
  async rewrap(tenantId: string, keyId: string, ciphertext: unknown, context?: unknown): Promise<{ ciphertext: string; keyVersion: number }> {
    const { plaintext } = await this.decrypt(tenantId, keyId, ciphertext, context);
    try {
      return await this.encrypt(tenantId, keyId, plaintext, context);
    } finally {
      plaintext.fill(0);
    }
  }

  /** Like KMS GenerateDataKey: a fresh data key sealed under the tenant key, plaintext only when asked. */
  async dataKey(tenantId: string, keyId: string, bits: number, includePlaintext: boolean, context?: unknown): Promise<DataKeyResult> {
    if (!(DATA_KEY_BITS as readonly number[]).includes(bits)) throw new ValidationError('bits', 'expected 128 or 256');
    const dataKey = randomBytes(bits / 8);
    try {
      const sealed = await this.encrypt(tenantId, keyId, dataKey, context);
      return { ciphertext: sealed.ciphertext, plaintext: includePlaintext ? Buffer.from(dataKey) : null, keyVersion: sealed.keyVersion };
    } finally {
      dataKey.fill(0);
    }
  }
}

/** The provider's signature failed the check against the key's public key (the message names no signature). */
function signatureInvalid(provider: KmsProviderKind): KmsProviderError {
  return new KmsProviderError('KMS_SIGNATURE_INVALID', `${provider} KMS sign failed: the signature it answered does not verify with the key's public key`, {
    provider,
    operation: 'sign',
  });
}

function primaryOf(key: ExistingKeyState): number {
  return key.primaryVersion;
}

function requireDigest(digest: Uint8Array): Uint8Array {
  if (digest.length !== SHA256_DIGEST_BYTES) throw new ValidationError('digest', `expected ${SHA256_DIGEST_BYTES} bytes (SHA-256)`);
  return digest;
}
