import { constants, createHash, privateEncrypt, publicDecrypt, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';

// node:crypto hashes whatever it signs with RSA-PSS, so a precomputed digest is encoded here with
// EMSA-PSS (RFC 8017 §9.1, MGF1 with the same hash, salt as long as the hash) and put through the
// raw RSA operation (OpenSSL's, blinded). The result is the signature node:crypto or openssl make
// over the message itself with the same hash and salt length.

function mgf1(hash: string, seed: Buffer, length: number): Buffer {
  const out = Buffer.alloc(length);
  let done = 0;
  for (let counter = 0; done < length; counter++) {
    const c = Buffer.alloc(4);
    c.writeUInt32BE(counter);
    const block = createHash(hash).update(seed).update(c).digest();
    done += block.copy(out, done);
  }
  return out;
}

const modulusBits = (key: KeyObject): number => key.asymmetricKeyDetails?.modulusLength ?? 0;
const mPrimeHash = (hash: string, digest: Uint8Array, salt: Uint8Array): Buffer => createHash(hash).update(Buffer.alloc(8)).update(digest).update(salt).digest();

/** Signs a digest of `hash` with RSA-PSS (salt length = digest length). */
export function signPssDigest(privateKey: KeyObject, hash: string, digest: Uint8Array): Buffer {
  const bits = modulusBits(privateKey);
  const k = Math.ceil(bits / 8);
  const emBits = bits - 1;
  const emLen = Math.ceil(emBits / 8);
  const hLen = digest.length;
  const salt = randomBytes(hLen);
  const h = mPrimeHash(hash, digest, salt);
  const db = Buffer.alloc(emLen - hLen - 1);
  db[emLen - 2 * hLen - 2] = 0x01;
  salt.copy(db, emLen - 2 * hLen - 1);
  const mask = mgf1(hash, h, db.length);
  for (let i = 0; i < db.length; i++) db[i] ^= mask[i];
  db[0] &= 0xff >> (8 * emLen - emBits);
  const em = Buffer.concat([Buffer.alloc(k - emLen), db, h, Buffer.of(0xbc)]);
  return privateEncrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, em);
}

/** Verifies an RSA-PSS signature over a digest of `hash` (salt length = digest length); anything malformed is invalid. */
export function verifyPssDigest(publicKey: KeyObject, hash: string, digest: Uint8Array, signature: Uint8Array): boolean {
  const bits = modulusBits(publicKey);
  const k = Math.ceil(bits / 8);
  const emBits = bits - 1;
  const emLen = Math.ceil(emBits / 8);
  const hLen = digest.length;
  if (signature.length !== k || emLen < 2 * hLen + 2) return false;
  let raw: Buffer;
  try {
    raw = publicDecrypt({ key: publicKey, padding: constants.RSA_NO_PADDING }, signature);
  } catch {
    return false;
  }
  if (k > emLen && raw[0] !== 0) return false;
  const em = raw.subarray(k - emLen);
  if (em[emLen - 1] !== 0xbc) return false;
  const db = Buffer.from(em.subarray(0, emLen - hLen - 1));
  const h = em.subarray(emLen - hLen - 1, emLen - 1);
  const topBits = 0xff >> (8 * emLen - emBits);
  if ((db[0] & ~topBits) !== 0) return false;
  const mask = mgf1(hash, h, db.length);
  for (let i = 0; i < db.length; i++) db[i] ^= mask[i];
  db[0] &= topBits;
  const psEnd = emLen - 2 * hLen - 2;
  for (let i = 0; i < psEnd; i++) if (db[i] !== 0) return false;
  if (db[psEnd] !== 0x01) return false;
  return timingSafeEqual(mPrimeHash(hash, digest, db.subarray(psEnd + 1)), h);
}
