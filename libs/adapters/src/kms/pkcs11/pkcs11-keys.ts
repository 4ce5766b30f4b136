import * as pkcs11js from 'pkcs11js';
import { concat } from '../shared/ecdsa-der';
import type { ProviderKeyRole } from '@keyledger/kms-domain';
import { kmsError } from '../shared/kms-errors';
import { ckrOf } from './pkcs11-error-mapping';
import type { Pkcs11Token } from './pkcs11-token';

const P256_OID = Buffer.from('06082a8648ce3d030107', 'hex');
// SEQUENCE { SEQUENCE { id-ecPublicKey, prime256v1 }, BIT STRING (0 unused bits) ...65-byte point }
const P256_SPKI_PREFIX = Buffer.from('3059301306072a8648ce3d020106082a8648ce3d030107034200', 'hex');

const off = (...types: number[]): pkcs11js.Template => types.map((type) => ({ type, value: false }));

/**
 * Rights the wrapping key never needs: it only seals and opens blobs with C_Encrypt/C_Decrypt
 * (CKM_AES_GCM), so signing, MACs, key wrapping and derivation are off.
 */
export const MASTER_KEY_UNUSED_RIGHTS: readonly number[] = [pkcs11js.CKA_SIGN, pkcs11js.CKA_VERIFY, pkcs11js.CKA_WRAP, pkcs11js.CKA_UNWRAP, pkcs11js.CKA_DERIVE];
/** Rights an EC private key never needs: it only signs digests with CKM_ECDSA. */
export const EC_PRIVATE_UNUSED_RIGHTS: readonly number[] = [pkcs11js.CKA_DECRYPT, pkcs11js.CKA_UNWRAP, pkcs11js.CKA_DERIVE, pkcs11js.CKA_SIGN_RECOVER];
/** Rights an EC public key never needs: keyledger only reads its point (and it may verify). */
export const EC_PUBLIC_UNUSED_RIGHTS: readonly number[] = [pkcs11js.CKA_ENCRYPT, pkcs11js.CKA_WRAP, pkcs11js.CKA_DERIVE, pkcs11js.CKA_VERIFY_RECOVER];

/**
 * Template of the AES-256 wrapping key: a private token object that never leaves the token
 * (sensitive, not extractable, not copyable) and may only encrypt and decrypt.
 */
export function masterKeyTemplate(label: string): pkcs11js.Template {
  return [
    { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
    { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_AES },
    { type: pkcs11js.CKA_VALUE_LEN, value: 32 },
    { type: pkcs11js.CKA_TOKEN, value: true },
    { type: pkcs11js.CKA_PRIVATE, value: true },
    { type: pkcs11js.CKA_SENSITIVE, value: true },
    { type: pkcs11js.CKA_EXTRACTABLE, value: false },
    { type: pkcs11js.CKA_COPYABLE, value: false },
    { type: pkcs11js.CKA_ENCRYPT, value: true },
    { type: pkcs11js.CKA_DECRYPT, value: true },
    ...off(...MASTER_KEY_UNUSED_RIGHTS),
    { type: pkcs11js.CKA_LABEL, value: label },
  ];
}

/**
 * Templates of a P-256 signing pair kept in the token, tied together by CKA_ID: the private key
 * may only sign (sensitive, not extractable, not copyable, private), the public key only verify.
 * Both stay modifiable so that disabling a key can clear CKA_SIGN.
 */
export function ecKeyPairTemplates(id: Buffer, label: string): { publicKey: pkcs11js.Template; privateKey: pkcs11js.Template } {
  return {
    publicKey: [
      { type: pkcs11js.CKA_TOKEN, value: true },
      { type: pkcs11js.CKA_PRIVATE, value: false },
      { type: pkcs11js.CKA_VERIFY, value: true },
      ...off(...EC_PUBLIC_UNUSED_RIGHTS),
      { type: pkcs11js.CKA_COPYABLE, value: false },
      { type: pkcs11js.CKA_EC_PARAMS, value: P256_OID },
      { type: pkcs11js.CKA_ID, value: id },
      { type: pkcs11js.CKA_LABEL, value: label },
    ],
    privateKey: [
      { type: pkcs11js.CKA_TOKEN, value: true },
      { type: pkcs11js.CKA_PRIVATE, value: true },
      { type: pkcs11js.CKA_SENSITIVE, value: true },
      { type: pkcs11js.CKA_EXTRACTABLE, value: false },
      { type: pkcs11js.CKA_COPYABLE, value: false },
      { type: pkcs11js.CKA_SIGN, value: true },
      ...off(...EC_PRIVATE_UNUSED_RIGHTS),
      { type: pkcs11js.CKA_ID, value: id },
      { type: pkcs11js.CKA_LABEL, value: label },
    ],
  };
}

/** Label of a resident key by role: `keyledger-tenant-<id>`, `keyledger-audit-<id>` (hex CKA_ID). */
export function residentKeyLabel(role: ProviderKeyRole, id: Buffer): string {
  return `keyledger-${role}-${id.toString('hex')}`;
}

const PROVIDER_KEY_ROLES: ReadonlySet<string> = new Set<ProviderKeyRole>(['tenant', 'audit']);

export function isProviderKeyRole(role: unknown): role is ProviderKeyRole {
  return typeof role === 'string' && PROVIDER_KEY_ROLES.has(role);
}

const LABEL = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Refuses a label outside 1..128 characters of [A-Za-z0-9._-] (KMS_INVALID_REQUEST). */
export function assertLabel(label: string, operation: string): void {
  if (typeof label !== 'string' || !LABEL.test(label)) throw kmsError('pkcs11', operation, 'KMS_INVALID_REQUEST', 'the label must be 1..128 characters from [A-Za-z0-9._-]');
}

/** Label prefix of resident keys created before labels named their role (found by CKA_ID all the same). */
export const LEGACY_RESIDENT_LABEL_PREFIX = 'keyledger-ec-';

// CKR_ATTRIBUTE_READ_ONLY, CKR_ATTRIBUTE_VALUE_INVALID, CKR_ACTION_PROHIBITED, CKR_TEMPLATE_INCONSISTENT:
// the token will not narrow this object; it keeps working as before.
const NARROWING_REFUSED = new Set([0x10, 0x13, 0x1b, 0xd1]);

/**
 * Clears rights keyledger never uses on objects created by earlier versions (at SoftHSM2's
 * defaults: the wrapping key could sign, wrap and unwrap; EC private keys decrypt and unwrap; EC
 * public keys encrypt and wrap). Runs at start; once narrowed an object no longer matches, so the
 * cost is paid once per object. Only keyledger's objects (labels `keyledger-…`) are touched, and
 * a token that refuses the change leaves the object as it was. Returns how many were narrowed.
 */
export function narrowLegacyRights(token: Pkcs11Token, masterKey: pkcs11js.Handle): number {
  let narrowed = narrow(token, masterKey, MASTER_KEY_UNUSED_RIGHTS) ? 1 : 0;
  const kinds = [
    [pkcs11js.CKO_PRIVATE_KEY, pkcs11js.CKA_DECRYPT, EC_PRIVATE_UNUSED_RIGHTS],
    [pkcs11js.CKO_PRIVATE_KEY, pkcs11js.CKA_UNWRAP, EC_PRIVATE_UNUSED_RIGHTS],
    [pkcs11js.CKO_PUBLIC_KEY, pkcs11js.CKA_ENCRYPT, EC_PUBLIC_UNUSED_RIGHTS],
    [pkcs11js.CKO_PUBLIC_KEY, pkcs11js.CKA_WRAP, EC_PUBLIC_UNUSED_RIGHTS],
  ] as const;
  for (const [objectClass, right, unused] of kinds) {
    const template = [
      { type: pkcs11js.CKA_CLASS, value: objectClass },
      { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_EC },
      { type: right, value: true },
    ];
    for (const handle of token.findAll(template)) {
      if (token.attribute(handle, pkcs11js.CKA_LABEL).toString('utf8').startsWith('keyledger-') && narrow(token, handle, unused)) narrowed++;
    }
  }
  return narrowed;
}

/** Sets each of `rights` that the object has to false, one at a time (a token may refuse one). */
function narrow(token: Pkcs11Token, handle: pkcs11js.Handle, rights: readonly number[]): boolean {
  let changed = false;
  for (const type of rights) {
    let value: Buffer;
    try {
      value = token.attribute(handle, type);
    } catch {
      continue; // the object has no such attribute
    }
    if (!isTrue(value)) continue;
    try {
      token.lib.C_SetAttributeValue(token.session, handle, [{ type, value: false }]);
      changed = true;
    } catch (error) {
      const ckr = ckrOf(error);
      if (ckr === undefined || !NARROWING_REFUSED.has(ckr)) throw error;
    }
  }
  return changed;
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
