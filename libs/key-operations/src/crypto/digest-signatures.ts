import type { KeyObject } from 'node:crypto';
import { p256 } from '@noble/curves/p256';
import type { KeySigningAlgorithm } from '@keyledger/kms-domain';
import { KeyOperationError } from '../errors';
import { signPssDigest, verifyPssDigest } from './rsa-pss-digest';
import { NODE_HASH, type DigestHashAlgorithm } from './signature-forms';

// node:crypto always hashes what it signs, so a precomputed digest is signed with @noble/curves
// for ECDSA (constant-time scalar multiplication; RFC 6979 nonces with extra entropy; a digest
// longer than 32 bytes is truncated as ECDSA specifies) and with EMSA-PSS over raw RSA for RSA-PSS
// (rsa-pss-digest.ts). Ed25519 has no digest form: it signs the message itself (PureEdDSA).

/** Algorithms that sign and verify a precomputed digest (SHA-256, SHA-384 or SHA-512). */
export const DIGEST_ALGORITHMS: readonly KeySigningAlgorithm[] = ['ECDSA_P256_SHA256', 'RSA_PSS_2048_SHA256', 'RSA_PSS_3072_SHA256'];

function requireDigestAlgorithm(algorithm: KeySigningAlgorithm, keyId: string): void {
  if (!DIGEST_ALGORITHMS.includes(algorithm)) {
    throw new KeyOperationError(
      'DIGEST_NOT_SUPPORTED',
      `Key ${keyId} is ${algorithm}, which signs the message itself; send 'message', or use a key of ${DIGEST_ALGORITHMS.join(', ')} for 'digest'`,
    );
  }
}

const isRsa = (algorithm: KeySigningAlgorithm): boolean => algorithm === 'RSA_PSS_2048_SHA256' || algorithm === 'RSA_PSS_3072_SHA256';

/**
 * Signs a digest (of `hashAlgorithm`, default SHA-256) with a wrapped key's private key: a DER
 * ECDSA signature, or RSA-PSS with MGF1 of the same hash and a salt as long as the digest.
 */
export function signDigest(algorithm: KeySigningAlgorithm, keyId: string, privateKey: KeyObject, digest: Uint8Array, hashAlgorithm: DigestHashAlgorithm = 'SHA-256'): Buffer {
  requireDigestAlgorithm(algorithm, keyId);
  if (isRsa(algorithm)) return signPssDigest(privateKey, NODE_HASH[hashAlgorithm], digest);
  const jwk = privateKey.export({ format: 'jwk' });
  const d = Buffer.from(jwk.d ?? '', 'base64url');
  try {
    return Buffer.from(p256.sign(digest, d, { prehash: false, lowS: false, extraEntropy: true }).toDERRawBytes());
  } finally {
    d.fill(0);
  }
}

/** Verifies a signature over a digest (DER for ECDSA); a malformed signature is simply invalid. */
export function verifyDigest(
  algorithm: KeySigningAlgorithm,
  keyId: string,
  publicKey: KeyObject,
  digest: Uint8Array,
  signature: Uint8Array,
  hashAlgorithm: DigestHashAlgorithm = 'SHA-256',
): boolean {
  requireDigestAlgorithm(algorithm, keyId);
  if (isRsa(algorithm)) return verifyPssDigest(publicKey, NODE_HASH[hashAlgorithm], digest, signature);
  const jwk = publicKey.export({ format: 'jwk' });
  const point = Buffer.concat([Buffer.of(0x04), Buffer.from(jwk.x ?? '', 'base64url'), Buffer.from(jwk.y ?? '', 'base64url')]);
  try {
    return p256.verify(signature, digest, point, { prehash: false, lowS: false, format: 'der' });
  } catch {
    return false;
  }
}
