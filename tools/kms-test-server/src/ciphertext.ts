import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

// CiphertextBlob: "KTS" | version 1 | key id length | key id | iv (12) | tag (16) | ciphertext.
// Everything before the iv plus the canonical encryption context is authenticated, so a changed
// byte anywhere, a cut blob or another context is an InvalidCiphertextException, as on AWS.
const MAGIC = Buffer.from('KTS\x01', 'latin1');
const IV = 12;
const TAG = 16;

/** The encryption context in one canonical form (pairs sorted by key). */
export function canonicalContext(context: Readonly<Record<string, string>>): Buffer {
  return Buffer.from(JSON.stringify(Object.keys(context).sort().map((k) => [k, context[k]])), 'utf8');
}

export function seal(keyId: string, secret: Buffer, plaintext: Buffer, context: Readonly<Record<string, string>>): Buffer {
  const header = Buffer.concat([MAGIC, Buffer.of(Buffer.byteLength(keyId)), Buffer.from(keyId, 'utf8')]);
  const iv = randomBytes(IV);
  const cipher = createCipheriv('aes-256-gcm', secret, iv);
  cipher.setAAD(Buffer.concat([header, canonicalContext(context)]));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([header, iv, cipher.getAuthTag(), body]);
}

/** The key id a blob names, or undefined when the blob cannot be one of ours. */
export function blobKeyId(blob: Buffer): string | undefined {
  if (blob.length < MAGIC.length + 1 || !blob.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  const length = blob[MAGIC.length];
  const end = MAGIC.length + 1 + length;
  if (blob.length <= end + IV + TAG) return undefined;
  return blob.subarray(MAGIC.length + 1, end).toString('utf8');
}

export function open(secret: Buffer, blob: Buffer, context: Readonly<Record<string, string>>): Buffer | undefined {
  const keyId = blobKeyId(blob);
  if (keyId === undefined) return undefined;
  const headerEnd = MAGIC.length + 1 + Buffer.byteLength(keyId);
  try {
    const decipher = createDecipheriv('aes-256-gcm', secret, blob.subarray(headerEnd, headerEnd + IV));
    decipher.setAAD(Buffer.concat([blob.subarray(0, headerEnd), canonicalContext(context)]));
    decipher.setAuthTag(blob.subarray(headerEnd + IV, headerEnd + IV + TAG));
    return Buffer.concat([decipher.update(blob.subarray(headerEnd + IV + TAG)), decipher.final()]);
  } catch {
    return undefined;
  }
}
