import { KeyObject, createHash, createPublicKey } from 'node:crypto';
import { AuditFormatError } from '../audit-errors';

/** Signature algorithms a checkpoint may be signed with (the audit key's algorithm at the provider). */
export type NoteAlgorithm = 'ED25519' | 'ECDSA_P256_SHA256';

/** C2SP signed-note signature type bytes: 0x01 Ed25519, 0x02 ECDSA (transparency-dev witness). */
const SIGNATURE_TYPE: Readonly<Record<NoteAlgorithm, number>> = { ED25519: 0x01, ECDSA_P256_SHA256: 0x02 };

/** A public key a verifier pins: the algorithm, the key and its SPKI DER encoding. */
export interface NoteVerifierKey {
  readonly algorithm: NoteAlgorithm;
  readonly key: KeyObject;
  readonly spkiDer: Buffer;
}

/** Reads a PEM or DER (SPKI) public key and works out its note algorithm; Ed25519 and P-256 only. */
export function noteVerifierKey(publicKey: string | Buffer | KeyObject): NoteVerifierKey {
  let key: KeyObject;
  try {
    key = publicKey instanceof KeyObject ? publicKey : loadPublicKey(publicKey);
  } catch {
    throw new AuditFormatError('not a PEM or DER public key');
  }
  if (key.type === 'private') key = createPublicKey(key);
  if (key.type !== 'public') throw new AuditFormatError('not a public key');
  const spkiDer = key.export({ type: 'spki', format: 'der' });
  if (key.asymmetricKeyType === 'ed25519') return { algorithm: 'ED25519', key, spkiDer };
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') {
    return { algorithm: 'ECDSA_P256_SHA256', key, spkiDer };
  }
  throw new AuditFormatError(`unsupported audit key type ${String(key.asymmetricKeyType)} (use Ed25519 or ECDSA P-256)`);
}

/**
 * The 4-byte key ID of a signed-note key. Ed25519: SHA-256(name ‖ 0x0A ‖ 0x01 ‖ 32-byte key)[:4]
 * as C2SP specifies; ECDSA: SHA-256 of the SPKI DER [:4], as the witness type 0x02 specifies.
 */
export function noteKeyId(name: string, algorithm: NoteAlgorithm, spkiDer: Uint8Array): Buffer {
  const hash = createHash('sha256');
  switch (algorithm) {
    case 'ED25519':
      hash.update(name, 'utf8').update(Buffer.from([0x0a, SIGNATURE_TYPE.ED25519])).update(rawEd25519(spkiDer));
      break;
    case 'ECDSA_P256_SHA256':
      hash.update(spkiDer);
      break;
    default: {
      const never: never = algorithm;
      throw new AuditFormatError(`unknown algorithm ${String(never)}`);
    }
  }
  return hash.digest().subarray(0, 4);
}

function loadPublicKey(input: string | Buffer): KeyObject {
  if (typeof input === 'string' || input.includes('-----BEGIN')) return createPublicKey(input);
  return createPublicKey({ key: input, format: 'der', type: 'spki' });
}

/** The 32-byte Ed25519 key is the tail of its 44-byte SPKI encoding. */
function rawEd25519(spkiDer: Uint8Array): Uint8Array {
  if (spkiDer.length !== 44) throw new AuditFormatError('an Ed25519 SPKI key is 44 bytes');
  return spkiDer.subarray(12);
}

/**
 * The standard signed-note verifier key of an Ed25519 key, as `golang.org/x/mod/sumdb/note` and
 * the witness network read it: `<name>+<hex key ID>+<base64(0x01 ‖ 32-byte key)>`.
 */
export function noteVerifierKeyString(name: string, spkiDer: Uint8Array): string {
  const keyId = noteKeyId(name, 'ED25519', spkiDer).toString('hex');
  const encoded = Buffer.concat([Buffer.from([SIGNATURE_TYPE.ED25519]), rawEd25519(spkiDer)]).toString('base64');
  return `${name}+${keyId}+${encoded}`;
}
