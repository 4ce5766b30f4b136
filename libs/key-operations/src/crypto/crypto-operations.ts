import { createHash, randomBytes, type KeyObject } from 'node:crypto';
import {
  SHA256_DIGEST_BYTES,
  ValidationError,
  assertSigningAllowed,
  authorizeKeyUse,
  freezeStatesOf,
  KmsProviderError,
  type ExistingKeyState,
  type KeyVersion,
  type KmsProviderKind,
  type KeySigningAlgorithm,
} from '@keyledger/kms-domain';
import { KeyOperationError, invalidCiphertext } from '../errors';
import type { ProviderGateway } from '../provider/provider-gateway';
import type { Signers } from '../signers/signers';
import type { KeyViews } from '../views/key-views';
import { settleAll, type BatchOutcome } from './batch';
import { ciphertextSealer, openCiphertext, parseCiphertext, requireContext, sealCiphertext } from './ciphertext';
import type { KeyRetrieval } from './key-retrieval';
import { signDigest, verifyDigest } from './digest-signatures';
import { kidOf, signMessage } from './signatures';
import { marshal, parseSignatureString, requireDigest, signatureStringOf, type SignatureMarshaling } from './signature-forms';
import { SignatureVerifier, type PublicKeyMemo, type SignInput, type VerifyResult } from './signature-verifier';

export type { SignInput, VerifyResult } from './signature-verifier';
import { lookupKey } from './lookup';


export interface SignOptions {
  /** ECDSA: `der` (default) or `raw` r‖s; other algorithms have one form. */
  readonly marshaling?: SignatureMarshaling;
  /** The version to sign with (at least the key's minEncryptionVersion); the primary when absent. */
  readonly keyVersion?: number;
}

export interface SignResult {
  readonly signature: Buffer;
  readonly keyVersion: number;
  readonly kid: string;
  readonly algorithm: KeySigningAlgorithm;
  /** `kl1sig.<kid>.<base64url signature>`: the signature with the version that made it. */
  readonly signatureString: string;
}

/**
 * Which version a signature is checked against: `keyVersion`, or the version a `kid` names, or
 * (neither) every verifiable version, newest first, answering the one that matched.
 */
export interface VerifyOptions {
  readonly kid?: string;
  readonly marshaling?: SignatureMarshaling;
}


/** One verification of a batch: a signature with an optional version, or a signature string alone. */
export type VerifyItem = { readonly input: SignInput; readonly marshaling?: SignatureMarshaling } & (
  | { readonly signature: Uint8Array; readonly keyVersion?: number; readonly kid?: string }
  | { readonly signatureString: string }
);

export interface DataKeyResult {
  readonly ciphertext: string;
  readonly plaintext: Buffer | null;
  readonly keyVersion: number;
}

export const DATA_KEY_BITS = [128, 256] as const;

type SigningMaterial = { readonly kind: 'local'; readonly privateKey: KeyObject } | { readonly kind: 'provider'; readonly ref: string; readonly publicKey: KeyObject };

/**
 * Signing and envelope encryption on tenant keys. Each operation reads the key from the status
 * view, lets `authorizeKeyUse` pick the version (failing closed on any other state), checks the
 * signing freeze before signing, and uses only the key asked for. The batch forms read the key
 * once and each version's material once, and answer each item's own failure in its place.
 */
export class CryptoOperations {
  constructor(
    private readonly views: KeyViews,
    private readonly retrieval: KeyRetrieval,
    private readonly gateway: ProviderGateway,
    signers?: Signers,
  ) {
    this.verifier = new SignatureVerifier(views, retrieval, signers);
  }

  private readonly verifier: SignatureVerifier;

  async sign(tenantId: string, keyId: string, input: SignInput, options: SignOptions = {}): Promise<SignResult> {
    const { key, version } = this.signingKey(tenantId, keyId, options.keyVersion);
    return this.signWith(key, version, await this.signingMaterial(key, version), input, options.marshaling ?? 'der');
  }

  /**
   * Signs the message `compose` builds from the kid and algorithm of the version that signs it (a
   * JWS header names the kid it is signed with, so it is built after the version is chosen).
   */
  async signComposed(tenantId: string, keyId: string, compose: (kid: string, algorithm: KeySigningAlgorithm) => Uint8Array, options: SignOptions = {}): Promise<SignResult> {
    const { key, version } = this.signingKey(tenantId, keyId, options.keyVersion);
    const message = compose(kidOf(keyId, version.version), key.algorithm as KeySigningAlgorithm);
    return this.signWith(key, version, await this.signingMaterial(key, version), { message }, options.marshaling ?? 'der');
  }

  /** Signs every item with the primary version (or `keyVersion`); the key, freeze and material are checked once for all. */
  async signBatch(tenantId: string, keyId: string, items: readonly { readonly input: SignInput; readonly marshaling?: SignatureMarshaling }[], keyVersion?: number): Promise<BatchOutcome<SignResult>[]> {
    const { key, version } = this.signingKey(tenantId, keyId, keyVersion);
    const material = await this.signingMaterial(key, version);
    return settleAll(items, (item) => this.signWith(key, version, material, item.input, item.marshaling ?? 'der'));
  }

  /**
   * Verifies with `keyVersion` or the version `options.kid` names (which must be at least
   * minDecryptionVersion), or without either against every verifiable version, newest first, at
   * most one try each. A digest (ECDSA and RSA-PSS keys) is checked as given. Public keys come from
   * the signer registry when the version is registered (no provider call: old signatures verify
   * during an outage), else through the key cache.
   */
  async verify(tenantId: string, keyId: string, input: SignInput, signature: Uint8Array, keyVersion?: number, options: VerifyOptions = {}): Promise<VerifyResult> {
    const key = this.verifier.key(tenantId, keyId);
    return this.verifier.verify(key, new Map(), input, signature, this.verifier.versionAsked(key, keyVersion, options.kid), options.marshaling ?? 'der');
  }

  /** The algorithm of a key that can verify now (state and purpose checked as verify does). */
  verifyingAlgorithm(tenantId: string, keyId: string): KeySigningAlgorithm {
    return this.verifier.key(tenantId, keyId).algorithm as KeySigningAlgorithm;
  }

  /** Verifies a `kl1sig.` signature string: the version is the one its kid names, which must be of this key. */
  async verifySignatureString(tenantId: string, keyId: string, input: SignInput, signatureString: string, marshaling: SignatureMarshaling = 'der'): Promise<VerifyResult> {
    const key = this.verifier.key(tenantId, keyId);
    const parsed = parseSignatureString(signatureString);
    if (parsed.keyId !== keyId) throw new KeyOperationError('INVALID_SIGNATURE_INPUT', `The signature string names another key than ${keyId}`);
    return this.verifier.verify(key, new Map(), input, parsed.signature, parsed.version, marshaling);
  }

  /** Verifies every item; each version's public key is looked up once for the whole batch. */
  async verifyBatch(tenantId: string, keyId: string, items: readonly VerifyItem[]): Promise<BatchOutcome<VerifyResult>[]> {
    const key = this.verifier.key(tenantId, keyId);
    const memo: PublicKeyMemo = new Map();
    return settleAll(items, async (item) => {
      const marshaling = item.marshaling ?? 'der';
      if ('signatureString' in item) {
        const parsed = parseSignatureString(item.signatureString);
        if (parsed.keyId !== keyId) throw new KeyOperationError('INVALID_SIGNATURE_INPUT', `The signature string names another key than ${keyId}`);
        return this.verifier.verify(key, memo, item.input, parsed.signature, parsed.version, marshaling);
      }
      return this.verifier.verify(key, memo, item.input, item.signature, this.verifier.versionAsked(key, item.keyVersion, item.kid), marshaling);
    });
  }

  /** Seals with the primary version (or `keyVersion`, at least minEncryptionVersion) into a self-describing `kl1.` ciphertext. */
  async encrypt(tenantId: string, keyId: string, plaintext: Uint8Array, context?: unknown, keyVersion?: number): Promise<{ ciphertext: string; keyVersion: number }> {
    const ctx = requireContext(context);
    const { version, secret } = await this.sealingKey(tenantId, keyId, keyVersion);
    return { ciphertext: sealCiphertext(secret, { tenantId, keyId, version: version.version }, plaintext, ctx), keyVersion: version.version };
  }

  async encryptBatch(tenantId: string, keyId: string, items: readonly { readonly plaintext: Uint8Array; readonly context?: unknown }[], keyVersion?: number): Promise<BatchOutcome<{ ciphertext: string; keyVersion: number }>[]> {
    const { version, secret } = await this.sealingKey(tenantId, keyId, keyVersion);
    const seal = ciphertextSealer(secret, { tenantId, keyId, version: version.version }, items.length);
    return settleAll(items, async (item) => ({ ciphertext: seal(item.plaintext, requireContext(item.context)), keyVersion: version.version }));
  }

  async decrypt(tenantId: string, keyId: string, ciphertext: unknown, context?: unknown): Promise<{ plaintext: Buffer; keyVersion: number }> {
    return this.openWith(lookupKey(this.views, tenantId, keyId), new Map(), ciphertext, context);
  }

  /** Decrypts every item; each version's key is looked up once for the whole batch. */
  async decryptBatch(tenantId: string, keyId: string, items: readonly { readonly ciphertext: unknown; readonly context?: unknown }[]): Promise<BatchOutcome<{ plaintext: Buffer; keyVersion: number }>[]> {
    const key = lookupKey(this.views, tenantId, keyId);
    const memo = new Map<number, Promise<KeyObject>>();
    return settleAll(items, (item) => this.openWith(key, memo, item.ciphertext, item.context));
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

  async rewrapBatch(tenantId: string, keyId: string, items: readonly { readonly ciphertext: unknown; readonly context?: unknown }[]): Promise<BatchOutcome<{ ciphertext: string; keyVersion: number }>[]> {
    const sealing = await this.sealingKey(tenantId, keyId);
    const seal = ciphertextSealer(sealing.secret, { tenantId, keyId, version: sealing.version.version }, items.length);
    const memo = new Map<number, Promise<KeyObject>>();
    return settleAll(items, async (item) => {
      const ctx = requireContext(item.context);
      const { plaintext } = await this.openWith(sealing.key, memo, item.ciphertext, ctx);
      try {
        return { ciphertext: seal(plaintext, ctx), keyVersion: sealing.version.version };
      } finally {
        plaintext.fill(0);
      }
    });
  }

  /** Like KMS GenerateDataKey: a fresh data key sealed under the tenant key, plaintext only when asked. */
  async dataKey(tenantId: string, keyId: string, bits: number, includePlaintext: boolean, context?: unknown, keyVersion?: number): Promise<DataKeyResult> {
    // Not through dataKeyBatch: that one is counted per item by the facade (batch-metrics.ts).
    const [outcome] = await this.dataKeys(tenantId, keyId, [{ bits, includePlaintext, context }], keyVersion);
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  }

  async dataKeyBatch(tenantId: string, keyId: string, items: readonly { readonly bits: number; readonly includePlaintext: boolean; readonly context?: unknown }[], keyVersion?: number): Promise<BatchOutcome<DataKeyResult>[]> {
    return this.dataKeys(tenantId, keyId, items, keyVersion);
  }

  private async dataKeys(tenantId: string, keyId: string, items: readonly { readonly bits: number; readonly includePlaintext: boolean; readonly context?: unknown }[], keyVersion?: number): Promise<BatchOutcome<DataKeyResult>[]> {
    const { version, secret } = await this.sealingKey(tenantId, keyId, keyVersion);
    const seal = ciphertextSealer(secret, { tenantId, keyId, version: version.version }, items.length);
    return settleAll(items, async (item) => {
      if (!(DATA_KEY_BITS as readonly number[]).includes(item.bits)) throw new ValidationError('bits', 'expected 128 or 256');
      const ctx = requireContext(item.context);
      const dataKey = randomBytes(item.bits / 8);
      try {
        return { ciphertext: seal(dataKey, ctx), plaintext: item.includePlaintext ? Buffer.from(dataKey) : null, keyVersion: version.version };
      } finally {
        dataKey.fill(0);
      }
    });
  }

  private signingKey(tenantId: string, keyId: string, keyVersion?: number): { key: ExistingKeyState; version: KeyVersion } {
    const key = lookupKey(this.views, tenantId, keyId);
    assertSigningAllowed(...freezeStatesOf(this.views.models.freeze, tenantId));
    return { key, version: authorizeKeyUse(key, { tenantId, keyId, operation: 'sign', version: keyVersion }) };
  }

  private async signingMaterial(key: ExistingKeyState, version: KeyVersion): Promise<SigningMaterial> {
    const material = version.material;
    if (material.mode === 'provider-resident') return { kind: 'provider', ref: material.providerKeyRef, publicKey: await this.verifier.publicKeyOf(key, version, new Map()) };
    return { kind: 'local', privateKey: (this.retrieval.cachedSigning(key, version) ?? (await this.retrieval.signing(key, version)).key).privateKey };
  }

  private async signWith(key: ExistingKeyState, version: KeyVersion, material: SigningMaterial, input: SignInput, marshaling: SignatureMarshaling): Promise<SignResult> {
    const algorithm = key.algorithm as KeySigningAlgorithm;
    const kid = kidOf(key.keyId, version.version);
    const result = (der: Buffer): SignResult => {
      const signature = marshal(algorithm, der, marshaling);
      return { signature, keyVersion: version.version, kid, algorithm, signatureString: signatureStringOf(kid, signature) };
    };
    if (material.kind === 'provider') {
      // ECDSA signs the leftmost 256 bits of a longer digest (SEC 1 §4.1.3), so a SHA-384 or
      // SHA-512 digest reaches the provider's ECDSA_SHA_256 as its first 32 bytes: the signature
      // is the standard ECDSA-with-SHA-384/512 one.
      const digest = 'digest' in input ? requireDigest(input.digest, input.hashAlgorithm ?? 'SHA-256').subarray(0, SHA256_DIGEST_BYTES) : createHash('sha256').update(input.message).digest();
      // The provider's answer is checked before it is returned: a peer that hashes the digest
      // again (or a broken HSM) must not hand out signatures nobody can verify.
      const der = await this.gateway.call('kms-signing-key', 'sign', async (p, signal) => {
        const answered = Buffer.from(await p.sign(material.ref, digest, 'ECDSA_SHA_256', { signal }));
        if (!verifyDigest(algorithm, key.keyId, material.publicKey, digest, answered)) throw signatureInvalid(p.kind);
        return answered;
      });
      return result(der);
    }
    if ('digest' in input) {
      const hash = input.hashAlgorithm ?? 'SHA-256';
      return result(signDigest(algorithm, key.keyId, material.privateKey, requireDigest(input.digest, hash), hash));
    }
    return result(signMessage(algorithm, material.privateKey, input.message));
  }

  private async sealingKey(tenantId: string, keyId: string, keyVersion?: number): Promise<{ key: ExistingKeyState; version: KeyVersion; secret: KeyObject }> {
    const key = lookupKey(this.views, tenantId, keyId);
    const version = authorizeKeyUse(key, { tenantId, keyId, operation: 'encrypt', version: keyVersion });
    return { key, version, secret: (await this.retrieval.secret(key, version)).key.secretKey };
  }

  private async openWith(key: ExistingKeyState, memo: Map<number, Promise<KeyObject>>, ciphertext: unknown, context: unknown): Promise<{ plaintext: Buffer; keyVersion: number }> {
    const ctx = requireContext(context);
    const parsed = parseCiphertext(ciphertext);
    if (parsed.header.tenantId !== key.tenantId || parsed.header.keyId !== key.keyId) throw invalidCiphertext('it was sealed under another key');
    const version = authorizeKeyUse(key, { tenantId: key.tenantId, keyId: key.keyId, operation: 'decrypt', version: parsed.header.version });
    let secret = memo.get(version.version);
    if (secret === undefined) {
      secret = this.retrieval.secret(key, version).then((r) => r.key.secretKey);
      memo.set(version.version, secret);
    }
    return { plaintext: openCiphertext(await secret, parsed, ctx), keyVersion: version.version };
  }
}

/** The provider's signature failed the check against the key's public key (the message names no signature). */
function signatureInvalid(provider: KmsProviderKind): KmsProviderError {
  return new KmsProviderError('KMS_SIGNATURE_INVALID', `${provider} KMS sign failed: the signature it answered does not verify with the key's public key`, {
    provider,
    operation: 'sign',
  });
}
