import * as pkcs11js from 'pkcs11js';
import { concat } from '../shared/ecdsa-der';
import type { Pkcs11Token } from './pkcs11-token';

const P256_OID = Buffer.from('06082a8648ce3d030107', 'hex');
// SEQUENCE { SEQUENCE { id-ecPublicKey, prime256v1 }, BIT STRING (0 unused bits) ...65-byte point }
const P256_SPKI_PREFIX = Buffer.from('3059301306072a8648ce3d020106082a8648ce3d030107034200', 'hex');

/** Template of the AES-256 wrapping key: a token object that never leaves the token. */
export function masterKeyTemplate(label: string): pkcs11js.Template {
  return [
    { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
    { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_AES },
    { type: pkcs11js.CKA_VALUE_LEN, value: 32 },
    { type: pkcs11js.CKA_TOKEN, value: true },
    { type: pkcs11js.CKA_PRIVATE, value: true },
    { type: pkcs11js.CKA_SENSITIVE, value: true },
    { type: pkcs11js.CKA_EXTRACTABLE, value: false },
    { type: pkcs11js.CKA_ENCRYPT, value: true },
    { type: pkcs11js.CKA_DECRYPT, value: true },
    { type: pkcs11js.CKA_LABEL, value: label },
  ];
}

/** Templates of a P-256 signing pair kept in the token, tied together by CKA_ID. */
export function ecKeyPairTemplates(id: Buffer, label: string): { publicKey: pkcs11js.Template; privateKey: pkcs11js.Template } {
  return {
    publicKey: [
      { type: pkcs11js.CKA_TOKEN, value: true },
      { type: pkcs11js.CKA_VERIFY, value: true },
      { type: pkcs11js.CKA_EC_PARAMS, value: P256_OID },
      { type: pkcs11js.CKA_ID, value: id },
      { type: pkcs11js.CKA_LABEL, value: label },
    ],
    privateKey: [
      { type: pkcs11js.CKA_TOKEN, value: true },
      { type: pkcs11js.CKA_PRIVATE, value: true },
      { type: pkcs11js.CKA_SENSITIVE, value: true },
      { type: pkcs11js.CKA_EXTRACTABLE, value: false },
      { type: pkcs11js.CKA_SIGN, value: true },
      { type: pkcs11js.CKA_ID, value: id },
      { type: pkcs11js.CKA_LABEL, value: label },
    ],
  };
}

export function findMasterKey(token: Pkcs11Token, label: string): pkcs11js.Handle[] {
  return token.find([
    { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
    { type: pkcs11js.CKA_LABEL, value: label },
  ]);
}

export function findKeyById(token: Pkcs11Token, id: Buffer, objectClass: number): pkcs11js.Handle | undefined {
  const [handle] = token.find([
    { type: pkcs11js.CKA_CLASS, value: objectClass },
    { type: pkcs11js.CKA_ID, value: id },
  ]);
  return handle;
}

/** DER SPKI of a P-256 public key object, from its CKA_EC_POINT (a DER OCTET STRING of 04‖x‖y). */
export function p256Spki(token: Pkcs11Token, publicKey: pkcs11js.Handle): Uint8Array {
  const ecPoint = token.attribute(publicKey, pkcs11js.CKA_EC_POINT);
  const point = ecPoint.length === 67 && ecPoint[0] === 0x04 && ecPoint[1] === 65 ? ecPoint.subarray(2) : ecPoint;
  if (point.length !== 65 || point[0] !== 0x04) throw new RangeError('unexpected EC point encoding');
  return concat([P256_SPKI_PREFIX, point]);
}

export function isTrue(attribute: Buffer): boolean {
  return attribute.length > 0 && attribute[0] !== 0;
}
