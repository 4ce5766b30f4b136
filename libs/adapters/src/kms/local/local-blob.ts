import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { concat } from '../shared/ecdsa-der';

// Wrapped blob: "LK" | version 1 | iv (12) | tag (16) | ciphertext. The header and the caller's
// associated data (the canonical encryption context) are authenticated.
const HEADER = Uint8Array.of(0x4c, 0x4b, 0x01);
const IV_BYTES = 12;
const TAG_BYTES = 16;
const MIN_LENGTH = HEADER.length + IV_BYTES + TAG_BYTES + 1;

/** AES-256-GCM seal under the master key with `aad` bound. */
export function sealLocalBlob(masterKey: Buffer, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', masterKey, iv);
  cipher.setAAD(concat([HEADER, aad]));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return concat([HEADER, iv, cipher.getAuthTag(), ciphertext]);
}

/** Opens a sealed blob; returns undefined when it is malformed, tampered with or bound to other data. */
export function openLocalBlob(masterKey: Buffer, blob: Uint8Array, aad: Uint8Array): Buffer | undefined {
  if (blob.length < MIN_LENGTH || !HEADER.every((byte, i) => blob[i] === byte)) return undefined;
  const ivEnd = HEADER.length + IV_BYTES;
  const tagEnd = ivEnd + TAG_BYTES;
  try {
    const decipher = createDecipheriv('aes-256-gcm', masterKey, blob.subarray(HEADER.length, ivEnd));
    decipher.setAAD(concat([HEADER, aad]));
    decipher.setAuthTag(blob.subarray(ivEnd, tagEnd));
    return Buffer.concat([decipher.update(blob.subarray(tagEnd)), decipher.final()]);
  } catch {
    return undefined;
  }
}
