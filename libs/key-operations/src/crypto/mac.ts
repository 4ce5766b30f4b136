import { createHmac, timingSafeEqual, type KeyObject } from 'node:crypto';
import type { KeyMacAlgorithm } from '@keyledger/kms-domain';
import { KeyOperationError } from '../errors';

const HASH: Readonly<Record<KeyMacAlgorithm, { readonly hash: string; readonly blockBytes: number; readonly macBytes: number }>> = {
  HMAC_SHA256: { hash: 'sha256', blockBytes: 64, macBytes: 32 },
  HMAC_SHA384: { hash: 'sha384', blockBytes: 128, macBytes: 48 },
  HMAC_SHA512: { hash: 'sha512', blockBytes: 128, macBytes: 64 },
};

/** Key length of a new HMAC key: the hash's block size (RFC 2104 §3: longer keys are hashed first). */
export const macKeyBytes = (algorithm: KeyMacAlgorithm): number => HASH[algorithm].blockBytes;

/** HMAC of `message` under `key` (RFC 2104). */
export function computeMac(algorithm: KeyMacAlgorithm, key: KeyObject | Uint8Array, message: Uint8Array): Buffer {
  return createHmac(HASH[algorithm].hash, key).update(message).digest();
}

/** Compares a presented MAC with the expected one in constant time (a length mismatch is simply false). */
export function macMatches(algorithm: KeyMacAlgorithm, key: KeyObject | Uint8Array, message: Uint8Array, presented: Uint8Array): boolean {
  const expected = computeMac(algorithm, key, message);
  if (presented.length !== expected.length) return false;
  return timingSafeEqual(expected, presented);
}

const MAC_STRING = /^kl1mac\.([A-Za-z0-9][A-Za-z0-9._-]{0,127})\.v([1-9][0-9]{0,8})\.([A-Za-z0-9_-]+)$/;

/** `kl1mac.<kid>.<base64url mac>`: the MAC with the version that made it (kid = `<keyId>.v<n>`). */
export const macStringOf = (kid: string, mac: Uint8Array): string => `kl1mac.${kid}.${Buffer.from(mac).toString('base64url')}`;

/** Parses a MAC string; INVALID_MAC_INPUT when it is not one (the message never repeats it). */
export function parseMacString(value: string): { keyId: string; version: number; mac: Buffer } {
  const m = typeof value === 'string' ? MAC_STRING.exec(value) : null;
  if (m === null) throw new KeyOperationError('INVALID_MAC_INPUT', 'macString is not a kl1mac.<keyId>.v<n>.<base64url> string');
  return { keyId: m[1], version: Number(m[2]), mac: Buffer.from(m[3], 'base64url') };
}
