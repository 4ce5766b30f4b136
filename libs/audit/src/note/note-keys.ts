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

/**
 * Reads a PEM or DER (SPKI) public key, or a signed-note Ed25519 verifier key string
 * (`<name>+<hex key ID>+<base64 key>`, see noteVerifierKeyString), and works out its note
 * algorithm; Ed25519 and P-256 only.
 */
export function noteVerifierKey(publicKey: string | Buffer | KeyObject): NoteVerifierKey {
  if (typeof publicKey === 'string' && VERIFIER_KEY.test(publicKey.trim())) return fromVerifierKeyString(publicKey.trim());
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

const VERIFIER_KEY = /^[^\s+]+\+[0-9a-f]{8}\+[A-Za-z0-9+/]+=*$/;
/** DER prefix of an Ed25519 SubjectPublicKeyInfo; the 32-byte key follows. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

function fromVerifierKeyString(vkey: string): NoteVerifierKey {
  // The name has no '+'; the base64 key may.
  const first = vkey.indexOf('+');
  const second = vkey.indexOf('+', first + 1);
  const [name, hash, encoded] = [vkey.slice(0, first), vkey.slice(first + 1, second), vkey.slice(second + 1)];
  const raw = Buffer.from(encoded, 'base64');
  if (raw.length !== 33 || raw[0] !== SIGNATURE_TYPE.ED25519) throw new AuditFormatError('a verifier key holds type 0x01 and a 32-byte Ed25519 key');
  const spkiDer = Buffer.concat([ED25519_SPKI_PREFIX, raw.subarray(1)]);
  if (noteKeyId(name, 'ED25519', spkiDer).toString('hex') !== hash) throw new AuditFormatError('the verifier key ID does not match its name and key');
  return { algorithm: 'ED25519', key: createPublicKey({ key: spkiDer, format: 'der', type: 'spki' }), spkiDer };
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
