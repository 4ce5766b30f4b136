import { createHash, type KeyObject } from 'node:crypto';
import { authorizeKeyUse, type ExistingKeyState, type KeySigningAlgorithm, type KeyVersion } from '@keyledger/kms-domain';
import { KeyOperationError } from '../errors';
import { registeredPublicKey } from '../signers/registered-keys';
import type { Signers } from '../signers/signers';
import type { KeyViews } from '../views/key-views';
import { verifyDigest } from './digest-signatures';
import { compressedPoint, ecdsaCandidates } from './ecdsa-candidates';
import type { KeyRetrieval } from './key-retrieval';
import { lookupKey } from './lookup';
import { verifyMessage } from './signatures';
import { parseKid, requireDigest, unmarshal, type DigestHashAlgorithm, type SignatureMarshaling } from './signature-forms';

/** What to sign or verify: the message itself, or (ECDSA and RSA-PSS keys) its digest, SHA-256 unless `hashAlgorithm` says otherwise. */
export type SignInput = { readonly message: Uint8Array } | { readonly digest: Uint8Array; readonly hashAlgorithm?: DigestHashAlgorithm };

export interface VerifyResult {
  readonly valid: boolean;
  /** The version checked, or (no version asked for) the one that matched; absent when none did. */
  readonly keyVersion?: number;
}

/** Public keys of a key's versions, looked up once per version within one request. */
export type PublicKeyMemo = Map<number, Promise<KeyObject>>;

/** Below this many verifiable versions a versionless ECDSA verification simply tries each (see ecdsa-candidates.ts). */
const CANDIDATE_SEARCH_FROM = 4;

/**
 * Signature checks against a key's versions: the one asked for, or every verifiable one (enabled
 * key, version ≥ minDecryptionVersion), newest first, at most one try each; for ECDSA with
 * several versions the candidate public keys of the signature pick the version in one step.
 */
export class SignatureVerifier {
  constructor(
    private readonly views: KeyViews,
    private readonly retrieval: KeyRetrieval,
    private readonly signers?: Signers,
  ) {}

  /** The key for verification, its state and purpose checked (a disabled key verifies nothing). */
  key(tenantId: string, keyId: string): ExistingKeyState {
    const key = lookupKey(this.views, tenantId, keyId);
    authorizeKeyUse(key, { tenantId, keyId, operation: 'verify', version: key.primaryVersion });
    return key;
  }

  /** The version a request names by number or kid; undefined when it names none. */
  versionAsked(key: ExistingKeyState, keyVersion: number | undefined, kid: string | undefined): number | undefined {
    if (kid === undefined) return keyVersion;
    const parsed = parseKid(kid);
    if (parsed === undefined || parsed.keyId !== key.keyId) throw new KeyOperationError('INVALID_SIGNATURE_INPUT', `The kid does not name a version of key ${key.keyId}`);
    if (keyVersion !== undefined && keyVersion !== parsed.version) throw new KeyOperationError('INVALID_SIGNATURE_INPUT', 'keyVersion and kid name different versions');
    return parsed.version;
  }

  async verify(key: ExistingKeyState, memo: PublicKeyMemo, input: SignInput, signature: Uint8Array, keyVersion: number | undefined, marshaling: SignatureMarshaling): Promise<VerifyResult> {
    const algorithm = key.algorithm as KeySigningAlgorithm;
    const hash = 'digest' in input ? (input.hashAlgorithm ?? 'SHA-256') : 'SHA-256';
    const digest = 'digest' in input ? requireDigest(input.digest, hash) : null;
    const der = unmarshal(algorithm, signature, marshaling);
    const check = async (version: KeyVersion): Promise<boolean> => {
      if (der === null) return false;
      const publicKey = await this.publicKeyOf(key, version, memo);
      return digest ? verifyDigest(algorithm, key.keyId, publicKey, digest, der, hash) : verifyMessage(algorithm, publicKey, (input as { message: Uint8Array }).message, der);
    };
    if (keyVersion !== undefined) {
      const version = authorizeKeyUse(key, { tenantId: key.tenantId, keyId: key.keyId, operation: 'verify', version: keyVersion });
      return { valid: await check(version), keyVersion: version.version };
    }
    const verifiable = key.versions.filter((v) => v.version >= key.minDecryptionVersion).sort((a, b) => b.version - a.version);
    if (algorithm === 'ECDSA_P256_SHA256' && der !== null && verifiable.length >= CANDIDATE_SEARCH_FROM) {
      const candidates = ecdsaCandidates(der, digest ?? createHash('sha256').update((input as { message: Uint8Array }).message).digest());
      for (const version of candidates.length === 0 ? [] : verifiable) {
        if (candidates.includes(compressedPoint(await this.publicKeyOf(key, version, memo)))) return (await check(version)) ? { valid: true, keyVersion: version.version } : { valid: false };
      }
      return { valid: false };
    }
    for (const version of verifiable) if (await check(version)) return { valid: true, keyVersion: version.version };
    return { valid: false };
  }

  /** A version's verification key: the signer registry's, else through the key cache (once per version per request). */
  publicKeyOf(key: ExistingKeyState, version: KeyVersion, memo: PublicKeyMemo): Promise<KeyObject> {
    let found = memo.get(version.version);
    if (found === undefined) {
      const registered = this.signers && registeredPublicKey(this.signers, key, version.version);
      found = registered ? Promise.resolve(registered) : this.retrieval.public(key, version).then((r) => r.key.publicKey);
      memo.set(version.version, found);
    }
    return found;
  }
}
