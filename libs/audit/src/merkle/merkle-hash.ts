import { hash } from 'node:crypto';

/** Size of every hash in the tree (SHA-256). */
export const HASH_BYTES = 32;

const leafScratch = Buffer.alloc(1 + HASH_BYTES);
const nodeScratch = Buffer.alloc(1 + 2 * HASH_BYTES);
nodeScratch[0] = 0x01;

/** MTH of the empty tree: SHA-256 of no bytes (RFC 6962 §2.1). */
export const EMPTY_ROOT: Buffer = Buffer.from(hash('sha256', Buffer.alloc(0), 'hex'), 'hex');

/** RFC 6962 leaf hash: SHA-256(0x00 ‖ data). Domain separation keeps a leaf from passing for a node. */
export function leafHash(data: Uint8Array): Buffer {
  return toBuffer(leafDigest(data));
}

/** Leaf hash of an audited event: its chain hash (64 hex digits) as 32 bytes, prefixed with 0x00. */
export function eventLeafHash(eventHashHex: string): Buffer {
  return toBuffer(eventLeafDigest(eventHashHex));
}

/** RFC 6962 interior node hash: SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  nodeScratch.set(left, 1);
  nodeScratch.set(right, 1 + HASH_BYTES);
  return toBuffer(hash('sha256', nodeScratch, 'binary'));
}

// The *Digest forms return the 32 bytes as a one-byte-per-char string: short-lived strings are far
// cheaper for the garbage collector than one Buffer per node when a tree holds 100k+ leaves.

/** leafHash as a 32-character latin1 string. */
export function leafDigest(data: Uint8Array): string {
  if (data.length === HASH_BYTES) {
    leafScratch[0] = 0x00;
    leafScratch.set(data, 1);
    return hash('sha256', leafScratch, 'binary');
  }
  return hash('sha256', Buffer.concat([Buffer.from([0x00]), data]), 'binary');
}

/**
 * The leaf data of an audited event, what `eventLeafHash` hashes: its chain hash as 32 bytes, or for
 * a malformed stored hash its UTF-8 bytes (the chain check reports it). The tlog entry of the event.
 */
export function eventLeafData(eventHashHex: string): Buffer {
  if (eventHashHex.length === 2 * HASH_BYTES) {
    const bytes = Buffer.from(eventHashHex, 'hex');
    if (bytes.length === HASH_BYTES) return bytes;
  }
  return Buffer.from(eventHashHex, 'utf8');
}

/** eventLeafHash as a 32-character latin1 string. */
export function eventLeafDigest(eventHashHex: string): string {
  leafScratch[0] = 0x00;
  if (eventHashHex.length === 2 * HASH_BYTES && leafScratch.write(eventHashHex, 1, 'hex') === HASH_BYTES) {
    return hash('sha256', leafScratch, 'binary');
  }
  // A malformed stored hash still gets a deterministic leaf (the chain check reports it).
  return leafDigest(Buffer.from(eventHashHex, 'utf8'));
}

/** SHA-256(0x01 ‖ the 64 bytes of two adjacent siblings) as a latin1 string. */
export function siblingsDigest(pair: Uint8Array): string {
  nodeScratch.set(pair, 1);
  return hash('sha256', nodeScratch, 'binary');
}

function toBuffer(digest: string): Buffer {
  return Buffer.from(digest, 'binary');
}
