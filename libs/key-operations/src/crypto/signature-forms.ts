import { p256 } from '@noble/curves/p256';
import { ValidationError, type KeySigningAlgorithm } from '@keyledger/kms-domain';
import { KeyOperationError } from '../errors';

/** How an ECDSA signature is encoded: `der` (ASN.1 SEQUENCE of r and s, the default) or `raw` (r‖s, 64 bytes, as JWS uses). */
export const SIGNATURE_MARSHALINGS = ['der', 'raw'] as const;
export type SignatureMarshaling = (typeof SIGNATURE_MARSHALINGS)[number];

/** Hash algorithms a precomputed digest may come from, and each digest's length. */
export const DIGEST_HASH_ALGORITHMS = ['SHA-256', 'SHA-384', 'SHA-512'] as const;
export type DigestHashAlgorithm = (typeof DIGEST_HASH_ALGORITHMS)[number];
export const DIGEST_BYTES: Readonly<Record<DigestHashAlgorithm, number>> = { 'SHA-256': 32, 'SHA-384': 48, 'SHA-512': 64 };
/** node:crypto's name of each hash. */
export const NODE_HASH: Readonly<Record<DigestHashAlgorithm, string>> = { 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };

/** Prefix of a self-describing signature string: `kl1sig.<kid>.<base64url signature>`. */
export const SIGNATURE_STRING_PREFIX = 'kl1sig';
const KID = /^([A-Za-z0-9][A-Za-z0-9._-]{0,127})\.v([1-9][0-9]{0,8})$/;
const B64U = /^[A-Za-z0-9_-]+$/;

/** The key id and version a kid (`<keyId>.v<version>`) names; undefined for anything else. */
export function parseKid(kid: string): { keyId: string; version: number } | undefined {
  const m = KID.exec(kid);
  return m === null ? undefined : { keyId: m[1], version: Number(m[2]) };
}

/** A signature with its kid, as one string a verifier can store and send back alone. */
export const signatureStringOf = (kid: string, signature: Uint8Array): string => `${SIGNATURE_STRING_PREFIX}.${kid}.${Buffer.from(signature).toString('base64url')}`;

/** Splits a signature string into the key id, version and signature bytes; INVALID_SIGNATURE_INPUT when it is not one. */
export function parseSignatureString(text: string): { keyId: string; version: number; kid: string; signature: Buffer } {
  const prefix = `${SIGNATURE_STRING_PREFIX}.`;
  const last = text.lastIndexOf('.');
  const kid = text.startsWith(prefix) && last > prefix.length ? text.slice(prefix.length, last) : '';
  const sig = text.slice(last + 1);
  const parsed = parseKid(kid);
  if (parsed === undefined || !B64U.test(sig)) {
    throw new KeyOperationError('INVALID_SIGNATURE_INPUT', `The signature string is not ${SIGNATURE_STRING_PREFIX}.<keyId>.v<version>.<base64url signature>`);
  }
  return { ...parsed, kid, signature: Buffer.from(sig, 'base64url') };
}

const isEcdsa = (algorithm: KeySigningAlgorithm): boolean => algorithm === 'ECDSA_P256_SHA256';

/** A DER signature in the marshaling asked for (only ECDSA has two forms; others are returned as they are). */
export function marshal(algorithm: KeySigningAlgorithm, der: Buffer, marshaling: SignatureMarshaling): Buffer {
  if (marshaling === 'der' || !isEcdsa(algorithm)) return der;
  return Buffer.from(p256.Signature.fromDER(der).toCompactRawBytes());
}

/**
 * A signature as the verifiers take it (DER for ECDSA). A raw ECDSA signature that is not 64 bytes
 * converts to nothing: it cannot verify, so the caller answers `valid: false`.
 */
export function unmarshal(algorithm: KeySigningAlgorithm, signature: Uint8Array, marshaling: SignatureMarshaling): Uint8Array | null {
  if (marshaling === 'der' || !isEcdsa(algorithm)) return signature;
  if (signature.length !== 64) return null;
  try {
    return p256.Signature.fromCompact(signature).toDERRawBytes();
  } catch {
    return null;
  }
}

/** A digest of the length its hash algorithm gives; VALIDATION_FAILED otherwise. */
export function requireDigest(digest: Uint8Array, hashAlgorithm: DigestHashAlgorithm): Uint8Array {
  const bytes = DIGEST_BYTES[hashAlgorithm];
  if (bytes === undefined) throw new ValidationError('hashAlgorithm', `expected one of ${DIGEST_HASH_ALGORITHMS.join(', ')}`);
  if (digest.length !== bytes) throw new ValidationError('digest', `expected ${bytes} bytes (${hashAlgorithm})`);
  return digest;
}
