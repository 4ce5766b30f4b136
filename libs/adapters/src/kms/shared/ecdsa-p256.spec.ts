import { createHash, generateKeyPairSync, sign, verify } from 'node:crypto';
import { ecdsaRawToDer } from './ecdsa-der';
import { signP256Digest, verifyP256Digest } from './ecdsa-p256';

const sha256 = (data: string) => createHash('sha256').update(data).digest();

describe('ECDSA P-256 over a digest', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });

  it('produces signatures node:crypto verifies over the message, and verifies node:crypto signatures', () => {
    for (let i = 0; i < 20; i += 1) {
      const message = `message ${i}`;
      const ours = signP256Digest(privateKey, sha256(message));
      expect(verify('sha256', Buffer.from(message), publicKey, ours)).toBe(true);
      const theirs = sign('sha256', Buffer.from(message), privateKey);
      expect(verifyP256Digest(publicKey, sha256(message), theirs)).toBe(true);
      expect(verifyP256Digest(publicKey, sha256(`${message}!`), theirs)).toBe(false);
    }
  });

  it('rejects malformed signatures and wrong digest sizes without throwing', () => {
    const signature = signP256Digest(privateKey, sha256('x'));
    expect(verifyP256Digest(publicKey, sha256('x'), signature.subarray(0, signature.length - 1))).toBe(false);
    expect(verifyP256Digest(publicKey, sha256('x').subarray(0, 20), signature)).toBe(false);
    expect(verifyP256Digest(publicKey, sha256('x'), new Uint8Array(70))).toBe(false);
    expect(() => signP256Digest(privateKey, new Uint8Array(31))).toThrow(RangeError);
  });
});

describe('ecdsaRawToDer', () => {
  it('turns a token r||s into the DER form node:crypto accepts', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    for (let i = 0; i < 30; i += 1) {
      const raw = sign('sha256', Buffer.from(`m${i}`), { key: privateKey, dsaEncoding: 'ieee-p1363' });
      const der = ecdsaRawToDer(raw);
      expect(der[0]).toBe(0x30);
      expect(verify('sha256', Buffer.from(`m${i}`), publicKey, der)).toBe(true);
    }
  });

  it('pads high-bit integers, strips leading zeros and rejects odd lengths', () => {
    const raw = new Uint8Array(64);
    raw[0] = 0x80;
    raw[63] = 0x01;
    expect(Buffer.from(ecdsaRawToDer(raw)).toString('hex')).toBe(`3026022100${'80'.padEnd(64, '0')}020101`);
    expect(() => ecdsaRawToDer(new Uint8Array(63))).toThrow(RangeError);
  });
});
