import type { KeyObject } from 'node:crypto';
import { p256 } from '@noble/curves/p256';

// node:crypto cannot sign a precomputed digest with ECDSA (it always hashes its input), yet the
// port signs digests. @noble/curves (audited, constant-time scalar multiplication) signs and
// verifies the digest as given; RFC 6979 deterministic nonces with extra entropy from its CSPRNG.

/** Signs a 32-byte digest with a P-256 private key; returns the DER-encoded signature. */
export function signP256Digest(privateKey: KeyObject, digest: Uint8Array): Uint8Array {
  const jwk = privateKey.export({ format: 'jwk' });
  if (jwk.crv !== 'P-256' || jwk.d === undefined) throw new TypeError('a P-256 private key is required');
  if (digest.length !== 32) throw new RangeError('digest must be 32 bytes');
  const d = Buffer.from(jwk.d, 'base64url');
  try {
    return p256.sign(digest, d, { prehash: false, lowS: false, extraEntropy: true }).toDERRawBytes();
  } finally {
    d.fill(0);
  }
}

/** Verifies a DER ECDSA signature over a 32-byte digest with a P-256 public key. */
export function verifyP256Digest(publicKey: KeyObject, digest: Uint8Array, signature: Uint8Array): boolean {
  const jwk = publicKey.export({ format: 'jwk' });
  if (jwk.crv !== 'P-256' || jwk.x === undefined || jwk.y === undefined) throw new TypeError('a P-256 public key is required');
  if (digest.length !== 32) return false;
  const point = Buffer.concat([Buffer.of(0x04), Buffer.from(jwk.x, 'base64url'), Buffer.from(jwk.y, 'base64url')]);
  try {
    return p256.verify(signature, digest, point, { prehash: false, lowS: false, format: 'der' });
  } catch {
    return false;
  }
}
