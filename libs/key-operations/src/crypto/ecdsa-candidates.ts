import { createECDH, type KeyObject } from 'node:crypto';
import { p256 } from '@noble/curves/p256';
import { invert, mod } from '@noble/curves/abstract/modular';

// Verifying a signature of unknown version on a key with many versions would cost one ECDSA
// verification per version. An ECDSA signature (r, s) over digest e determines the two public keys
// it can verify under, Q = r⁻¹(±s·R − e·G) with R the curve point of x-coordinate r, and both come
// from one point multiplication each: A = r⁻¹e·G, B = r⁻¹s·R, Q = ±B − A. The multiplications are
// OpenSSL's (an ECDH key pair: A is its public key, x(B) its shared secret with R; the sign of B
// does not matter as both ±B are tried), the two additions noble's. So the version is found by
// comparing those two points with the versions' public keys, for about the cost of one
// verification whatever the number of versions (about four verifications on this machine); the
// caller then verifies once with the version found. The row `verify without keyVersion on a 10-version key` in tools/bench/batch.bench.ts
// is what this is for.

const N = p256.CURVE.n;
// Used synchronously only, so one instance serves every call.
const ecdh = createECDH('prime256v1');
const Point = p256.ProjectivePoint;

// Public keys are long-lived cache and registry entries: their compressed form is computed once.
const compressed = new WeakMap<KeyObject, string>();

/** The compressed form of a P-256 public key, as {@link ecdsaCandidates} names its candidates. */
export function compressedPoint(publicKey: KeyObject): string {
  const known = compressed.get(publicKey);
  if (known !== undefined) return known;
  const jwk = publicKey.export({ format: 'jwk' });
  const x = Buffer.from(jwk.x ?? '', 'base64url');
  const y = Buffer.from(jwk.y ?? '', 'base64url');
  const form = Buffer.concat([Buffer.of((y[y.length - 1] & 1) === 1 ? 0x03 : 0x02), x]).toString('hex');
  compressed.set(publicKey, form);
  return form;
}

const scalarHex = (n: bigint): string => n.toString(16).padStart(64, '0');
const scalar = (n: bigint): Buffer => Buffer.from(scalarHex(n), 'hex');
const bytesToInt = (bytes: Uint8Array): bigint => (bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString('hex')}`));

/**
 * The compressed public keys a DER ECDSA P-256 signature over `digest` verifies under (at most
 * two; none for a malformed signature). A digest longer than 32 bytes is truncated as ECDSA does.
 */
export function ecdsaCandidates(derSignature: Uint8Array, digest: Uint8Array): string[] {
  let r: bigint;
  let s: bigint;
  try {
    ({ r, s } = p256.Signature.fromDER(derSignature));
  } catch {
    return [];
  }
  if (r <= 0n || r >= N || s <= 0n || s >= N) return [];
  const e = mod(bytesToInt(digest.subarray(0, 32)), N);
  const rInv = invert(r, N);
  const u1 = mod(e * rInv, N);
  const u2 = mod(s * rInv, N);
  let A: InstanceType<typeof Point>;
  let B: InstanceType<typeof Point>;
  try {
    if (u1 === 0n) A = Point.ZERO;
    else {
      ecdh.setPrivateKey(scalar(u1));
      A = Point.fromHex(ecdh.getPublicKey('hex'));
    }
    ecdh.setPrivateKey(scalar(u2));
    const xB = ecdh.computeSecret(Buffer.from(`02${scalarHex(r)}`, 'hex'));
    B = Point.fromHex(`02${xB.toString('hex')}`);
  } catch {
    // r is not the x-coordinate of a curve point: no key verifies this signature.
    return [];
  }
  const out: string[] = [];
  for (const Q of [B.subtract(A), B.negate().subtract(A)]) {
    if (!Q.equals(Point.ZERO)) out.push(Buffer.from(Q.toRawBytes(true)).toString('hex'));
  }
  return out;
}
