import { KeyObject, createHash, createPublicKey, sign as cryptoSign, verify as cryptoVerify } from 'node:crypto';
import { AuditFormatError } from '../audit-errors';

/** Signature type byte of a C2SP tlog-cosignature v1 Ed25519 key. */
const COSIGNATURE_TYPE = 0x04;
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const VKEY = /^([^\s+]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/]+=*)$/;

/** A witness (cosigner) a log submits to or a verifier trusts: its name and Ed25519 key. */
export interface WitnessKey {
  readonly name: string;
  readonly key: KeyObject;
  /** The 4-byte key ID: SHA-256(name ‖ 0x0A ‖ 0x04 ‖ 32-byte key)[:4]. */
  readonly keyId: Buffer;
  /** `<name>+<hex key ID>+<base64(0x04 ‖ key)>`. */
  readonly vkey: string;
}

/** A verified cosignature: who, when (POSIX seconds) and its note signature line. */
export interface Cosignature {
  readonly witness: string;
  readonly timestamp: number;
  readonly line: string;
}

/** Reads a cosigner verifier key `<name>+<hex key ID>+<base64(0x04 ‖ 32-byte Ed25519 key)>`. */
export function parseWitnessKey(vkey: string): WitnessKey {
  const m = VKEY.exec(vkey.trim());
  if (m === null) throw new AuditFormatError('a witness key is <name>+<hex key ID>+<base64 key>');
  const raw = Buffer.from(m[3], 'base64');
  if (raw.length !== 33 || raw[0] !== COSIGNATURE_TYPE) throw new AuditFormatError('a witness key holds type 0x04 and a 32-byte Ed25519 key');
  const witness = witnessKeyOf(m[1], createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw.subarray(1)]), format: 'der', type: 'spki' }));
  if (witness.keyId.toString('hex') !== m[2]) throw new AuditFormatError('the witness key ID does not match its name and key');
  return witness;
}

/** The WitnessKey of an Ed25519 public (or private) key under `name`. */
export function witnessKeyOf(name: string, key: KeyObject): WitnessKey {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  if (publicKey.asymmetricKeyType !== 'ed25519') throw new AuditFormatError('a witness key is Ed25519');
  if (name.length === 0 || /[\s+]/u.test(name)) throw new AuditFormatError('a witness name has no spaces or +');
  const raw = publicKey.export({ type: 'spki', format: 'der' }).subarray(ED25519_SPKI_PREFIX.length);
  const typed = Buffer.concat([Buffer.from([COSIGNATURE_TYPE]), raw]);
  const keyId = createHash('sha256').update(name, 'utf8').update(Buffer.from([0x0a])).update(typed).digest().subarray(0, 4);
  return { name, key: publicKey, keyId, vkey: `${name}+${keyId.toString('hex')}+${typed.toString('base64')}` };
}

/** The signed message of a v1 cosignature: `cosignature/v1`, `time <t>`, then the checkpoint text. */
function message(timestamp: number, checkpointText: string): Buffer {
  return Buffer.from(`cosignature/v1\ntime ${timestamp}\n${checkpointText}`, 'utf8');
}

/** Cosigns a checkpoint body (the note text, without signatures) at `timestamp`: one note signature line. */
export function cosign(name: string, privateKey: KeyObject, checkpointText: string, timestamp: number): string {
  const witness = witnessKeyOf(name, privateKey);
  const stamp = Buffer.alloc(8);
  stamp.writeBigUInt64BE(BigInt(timestamp));
  const signature = cryptoSign(null, message(timestamp, checkpointText), privateKey);
  return `\u2014 ${name} ${Buffer.concat([witness.keyId, stamp, signature]).toString('base64')}\n`;
}

/**
 * The cosignature by `witness` among note signature lines (`— name base64(...)`, one a line), or
 * null when none carries its name and key ID; a line that does carry them but does not verify
 * over `checkpointText` is also null (never trusted).
 */
export function findCosignature(lines: string, witness: WitnessKey, checkpointText: string): Cosignature | null {
  for (const line of lines.split('\n')) {
    const prefix = `\u2014 ${witness.name} `;
    if (!line.startsWith(prefix)) continue;
    const blob = Buffer.from(line.slice(prefix.length), 'base64');
    if (blob.length !== 4 + 8 + 64 || !blob.subarray(0, 4).equals(witness.keyId)) continue;
    const timestamp = blob.readBigUInt64BE(4);
    if (timestamp > BigInt(Number.MAX_SAFE_INTEGER)) continue;
    const t = Number(timestamp);
    if (cryptoVerify(null, message(t, checkpointText), witness.key, blob.subarray(12))) return { witness: witness.name, timestamp: t, line: `${line}\n` };
  }
  return null;
}
