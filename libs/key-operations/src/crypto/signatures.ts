import { constants, sign, verify, type KeyObject, type JsonWebKey } from 'node:crypto';
import type { KeySigningAlgorithm } from '@keyledger/kms-domain';

/** JOSE `alg` of each signing algorithm. */
export const JOSE_ALG: Readonly<Record<KeySigningAlgorithm, string>> = {
  ECDSA_P256_SHA256: 'ES256',
  ED25519: 'EdDSA',
  RSA_PSS_2048_SHA256: 'PS256',
  RSA_PSS_3072_SHA256: 'PS256',
};

function params(algorithm: KeySigningAlgorithm): { digest: string | null; options: object } {
  switch (algorithm) {
    case 'ECDSA_P256_SHA256':
      return { digest: 'sha256', options: { dsaEncoding: 'der' } };
    case 'ED25519':
      return { digest: null, options: {} };
    case 'RSA_PSS_2048_SHA256':
    case 'RSA_PSS_3072_SHA256':
      return { digest: 'sha256', options: { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } };
    default: {
      const unknown: never = algorithm;
      throw new Error(`unknown signing algorithm ${String(unknown)}`);
    }
  }
}

/** Signs a message locally (ECDSA signatures DER encoded, RSA-PSS with a 32-byte salt). */
export function signMessage(algorithm: KeySigningAlgorithm, privateKey: KeyObject, message: Uint8Array): Buffer {
  const p = params(algorithm);
  return sign(p.digest, message, { key: privateKey, ...p.options });
}

/** Verifies a message signature; a malformed signature is simply invalid. */
export function verifyMessage(algorithm: KeySigningAlgorithm, publicKey: KeyObject, message: Uint8Array, signature: Uint8Array): boolean {
  const p = params(algorithm);
  try {
    return verify(p.digest, message, { key: publicKey, ...p.options }, signature);
  } catch {
    return false;
  }
}

/** Key id of a tenant key version in JWS headers and JWKS (key ids are unique across tenants). */
export const kidOf = (keyId: string, version: number): string => `${keyId}.v${version}`;

/** A public key as PEM (SPKI) and JWK with kid, alg and use. */
export function publicKeyForms(algorithm: KeySigningAlgorithm, publicKey: KeyObject, kid: string): { pem: string; jwk: JsonWebKey } {
  const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid, alg: JOSE_ALG[algorithm], use: 'sig' };
  return { pem, jwk };
}
