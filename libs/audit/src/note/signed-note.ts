import { KeyObject, createPublicKey, sign as cryptoSign, verify as cryptoVerify } from 'node:crypto';
import { AuditFormatError } from '../audit-errors';
import { HASH_BYTES } from '../merkle/merkle-hash';
import { NoteAlgorithm, NoteVerifierKey, noteKeyId, noteVerifierKey } from './note-keys';

/** A tree head: the log's origin line, its size and its root (C2SP tlog-checkpoint body). */
export interface Checkpoint {
  readonly origin: string;
  readonly treeSize: number;
  readonly rootHash: Buffer;
}

/**
 * Signs checkpoint bodies with the audit key. The API passes one backed by the configured KMS
 * provider; `nodeCryptoSigner` is the in-process one for development and tests.
 */
export interface CheckpointSigner {
  /** Signed-note key name, e.g. `keyledger.example/audit`: no spaces, no `+`. */
  readonly keyName: string;
  readonly algorithm: NoteAlgorithm;
  /** Public key, SPKI DER: needed for the key ID. */
  readonly publicKeySpki: Uint8Array;
  /** Signs the note text (Ed25519 raw 64 bytes; ECDSA as ASN.1 DER over SHA-256). */
  sign(message: Uint8Array): Promise<Uint8Array>;
}

/** One `— name base64(keyId ‖ signature)` line of a note. */
export interface NoteSignature {
  readonly keyName: string;
  readonly keyId: Buffer;
  readonly signature: Buffer;
}

/** A parsed note: the signed text, the checkpoint it holds and its signature lines. */
export interface ParsedCheckpointNote {
  readonly text: string;
  readonly checkpoint: Checkpoint;
  readonly signatures: readonly NoteSignature[];
}

/** Result of checking a note against a pinned key: the checkpoint, or why it is not trusted. */
export type NoteVerification =
  | { readonly ok: true; readonly checkpoint: Checkpoint; readonly keyName: string }
  | { readonly ok: false; readonly reason: string };

const MAX_SIGNATURES = 16;
const SIG_PREFIX = '\u2014 ';

/** The note text of a checkpoint: origin, decimal size, base64 root, each ending in a newline. */
export function checkpointText(checkpoint: Checkpoint): string {
  assertOrigin(checkpoint.origin);
  if (!Number.isSafeInteger(checkpoint.treeSize) || checkpoint.treeSize < 0) throw new AuditFormatError('tree size must be a non-negative integer');
  if (checkpoint.rootHash.length !== HASH_BYTES) throw new AuditFormatError('root hash must be 32 bytes');
  return `${checkpoint.origin}\n${checkpoint.treeSize}\n${checkpoint.rootHash.toString('base64')}\n`;
}

/** Signs a checkpoint into a C2SP signed note: text, blank line, one signature line per signer, in order. */
export async function signCheckpoint(checkpoint: Checkpoint, signers: CheckpointSigner | readonly CheckpointSigner[]): Promise<string> {
  const all = Array.isArray(signers) ? signers : [signers as CheckpointSigner];
  if (all.length === 0 || all.length > MAX_SIGNATURES) throw new AuditFormatError(`a note carries 1..${MAX_SIGNATURES} signatures`);
  const text = checkpointText(checkpoint);
  const message = Buffer.from(text, 'utf8');
  const lines: string[] = [];
  for (const signer of all) {
    assertKeyName(signer.keyName);
    const keyId = noteKeyId(signer.keyName, signer.algorithm, signer.publicKeySpki);
    const signature = Buffer.from(await signer.sign(message));
    lines.push(`${SIG_PREFIX}${signer.keyName} ${Buffer.concat([keyId, signature]).toString('base64')}\n`);
  }
  return `${text}\n${lines.join('')}`;
}

/** Parses a signed checkpoint note; AUDIT_FORMAT_INVALID when it is not one. Verifies nothing. */
export function parseCheckpointNote(note: string): ParsedCheckpointNote {
  if (typeof note !== 'string' || !note.endsWith('\n')) throw new AuditFormatError('a note ends with a newline');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0009\u000b-\u001f]/.test(note)) throw new AuditFormatError('a note holds no control characters but newline');
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw new AuditFormatError('no blank line before the signatures');
  const text = note.slice(0, split + 1);
  const sigLines = note.slice(split + 2, -1).split('\n');
  if (sigLines.length > MAX_SIGNATURES) throw new AuditFormatError(`more than ${MAX_SIGNATURES} signatures`);
  return { text, checkpoint: parseCheckpointText(text), signatures: sigLines.map(parseSignatureLine) };
}

/**
 * Checks a signed checkpoint note against a pinned public key: some signature line must carry the
 * key's ID for its name and verify over the note text. Signatures by other keys are ignored.
 */
export function verifyCheckpointNote(note: string, pinned: NoteVerifierKey): NoteVerification {
  let parsed: ParsedCheckpointNote;
  try {
    parsed = parseCheckpointNote(note);
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : 'unreadable note' };
  }
  const message = Buffer.from(parsed.text, 'utf8');
  const mine = parsed.signatures.filter((s) => noteKeyId(s.keyName, pinned.algorithm, pinned.spkiDer).equals(s.keyId));
  if (mine.length === 0) return { ok: false, reason: 'no signature by the pinned audit key' };
  for (const s of mine) {
    if (!verifySignature(pinned, message, s.signature)) return { ok: false, reason: `signature by ${s.keyName} does not verify` };
  }
  return { ok: true, checkpoint: parsed.checkpoint, keyName: mine[0].keyName };
}

/** An in-process signer over a node:crypto private key (Ed25519 or P-256); development and tests. */
export function nodeCryptoSigner(keyName: string, privateKey: KeyObject): CheckpointSigner {
  const pinned = noteVerifierKey(createPublicKey(privateKey));
  return {
    keyName,
    algorithm: pinned.algorithm,
    publicKeySpki: pinned.spkiDer,
    sign: async (message) =>
      pinned.algorithm === 'ED25519'
        ? cryptoSign(null, message, privateKey)
        : cryptoSign('sha256', message, { key: privateKey, dsaEncoding: 'der' }),
  };
}

function verifySignature(pinned: NoteVerifierKey, message: Buffer, signature: Buffer): boolean {
  try {
    return pinned.algorithm === 'ED25519'
      ? cryptoVerify(null, message, pinned.key, signature)
      : cryptoVerify('sha256', message, { key: pinned.key, dsaEncoding: 'der' }, signature);
  } catch {
    return false;
  }
}

function parseCheckpointText(text: string): Checkpoint {
  const [origin, size, root] = text.split('\n');
  assertOrigin(origin);
  if (!/^(0|[1-9][0-9]{0,15})$/.test(size ?? '') || !Number.isSafeInteger(Number(size))) throw new AuditFormatError('tree size line is not a decimal integer');
  const rootHash = Buffer.from(root ?? '', 'base64');
  if (rootHash.length !== HASH_BYTES || rootHash.toString('base64') !== root) throw new AuditFormatError('root line is not 32 bytes of base64');
  return { origin, treeSize: Number(size), rootHash };
}

function parseSignatureLine(line: string): NoteSignature {
  if (!line.startsWith(SIG_PREFIX)) throw new AuditFormatError('a signature line starts with an em dash and a space');
  const rest = line.slice(SIG_PREFIX.length);
  const space = rest.lastIndexOf(' ');
  const keyName = rest.slice(0, Math.max(space, 0));
  assertKeyName(keyName);
  const blob = Buffer.from(rest.slice(space + 1), 'base64');
  if (blob.length < 5 || blob.toString('base64') !== rest.slice(space + 1)) throw new AuditFormatError('signature is not base64 of a key ID and a signature');
  return { keyName, keyId: blob.subarray(0, 4), signature: blob.subarray(4) };
}

function assertKeyName(name: string): void {
  if (typeof name !== 'string' || name.length === 0 || /[\s+]/u.test(name)) throw new AuditFormatError('key name must be non-empty, without spaces or +');
}

function assertOrigin(origin: string | undefined): asserts origin is string {
  if (typeof origin !== 'string' || origin.length === 0 || origin.includes('\n')) throw new AuditFormatError('origin line must be non-empty');
}
