import type { KeyObject } from 'node:crypto';
import { p256 } from '@noble/curves/p256';
import type { KeySigningAlgorithm } from '@keyledger/kms-domain';
import { KeyOperationError } from '../errors';

// node:crypto always hashes what it signs, so a precomputed SHA-256 digest is signed with
// @noble/curves (constant-time scalar multiplication; RFC 6979 nonces with extra entropy).
// Ed25519 and RSA-PSS have no digest form here: Ed25519 signs the message itself (PureEdDSA)
// and RSA-PSS digests are not offered.

/** Algorithms that sign and verify a precomputed digest. */
export const DIGEST_ALGORITHMS: readonly KeySigningAlgorithm[] = ['ECDSA_P256_SHA256'];

function requireDigestAlgorithm(algorithm: KeySigningAlgorithm, keyId: string): void {
  if (!DIGEST_ALGORITHMS.includes(algorithm)) {
    throw new KeyOperationError(
      'DIGEST_NOT_SUPPORTED',
      `Key ${keyId} is ${algorithm}, which signs the message itself; send 'message', or use a key of ${DIGEST_ALGORITHMS.join(', ')} for 'digest'`,
    );
  }
}

/** Signs a 32-byte SHA-256 digest with a wrapped key's private key; DER-encoded ECDSA signature. */
export function signDigest(algorithm: KeySigningAlgorithm, keyId: string, privateKey: KeyObject, digest: Uint8Array): Buffer {
  requireDigestAlgorithm(algorithm, keyId);
  const jwk = privateKey.export({ format: 'jwk' });
  const d = Buffer.from(jwk.d ?? '', 'base64url');
  try {
    return Buffer.from(p256.sign(digest, d, { prehash: false, lowS: false, extraEntropy: true }).toDERRawBytes());
  } finally {
    d.fill(0);
  }
}

/** Verifies a DER ECDSA signature over a 32-byte digest; a malformed signature is simply invalid. */
export function verifyDigest(algorithm: KeySigningAlgorithm, keyId: string, publicKey: KeyObject, digest: Uint8Array, signature: Uint8Array): boolean {
  requireDigestAlgorithm(algorithm, keyId);
  const jwk = publicKey.export({ format: 'jwk' });
  const point = Buffer.concat([Buffer.of(0x04), Buffer.from(jwk.x ?? '', 'base64url'), Buffer.from(jwk.y ?? '', 'base64url')]);
  try {
    return p256.verify(signature, digest, point, { prehash: false, lowS: false, format: 'der' });
  } catch {
    return false;
  }
}
