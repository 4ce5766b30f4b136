import { timingSafeEqual } from 'node:crypto';
import { EMPTY_ROOT, HASH_BYTES, nodeHash } from './merkle-hash';

/**
 * Checks an RFC 6962 audit path (RFC 9162 §2.1.3.2): the leaf hash at `index`, folded with
 * `proof`, must give `root` for a tree of `size` leaves. False for any malformed input.
 */
export function verifyInclusion(leaf: Uint8Array, index: number, size: number, proof: readonly Uint8Array[], root: Uint8Array): boolean {
  if (!isCount(index) || !isCount(size) || index >= size || !allHashes([leaf, root, ...proof])) return false;
  let fn = index;
  let sn = size - 1;
  let r: Uint8Array = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      r = nodeHash(p, r);
      while (!odd(fn) && fn !== 0) [fn, sn] = [half(fn), half(sn)];
    } else {
      r = nodeHash(r, p);
    }
    [fn, sn] = [half(fn), half(sn)];
  }
  return sn === 0 && sameHash(r, root);
}

/**
 * Checks an RFC 6962 consistency proof (RFC 9162 §2.1.4.2): the tree of `from` leaves with root
 * `fromRoot` is a prefix of the tree of `to` leaves with root `toRoot`. False for any malformed input.
 */
export function verifyConsistency(from: number, to: number, proof: readonly Uint8Array[], fromRoot: Uint8Array, toRoot: Uint8Array): boolean {
  if (!isCount(from) || !isCount(to) || from > to || !allHashes([fromRoot, toRoot, ...proof])) return false;
  if (from === to) return proof.length === 0 && sameHash(fromRoot, toRoot);
  if (from === 0) return proof.length === 0 && sameHash(fromRoot, EMPTY_ROOT);
  const path = isPowerOfTwo(from) ? [fromRoot, ...proof] : [...proof];
  if (path.length === 0) return false;
  let fn = from - 1;
  let sn = to - 1;
  while (odd(fn)) [fn, sn] = [half(fn), half(sn)];
  let fr: Uint8Array = path[0];
  let sr: Uint8Array = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (!odd(fn) && fn !== 0) [fn, sn] = [half(fn), half(sn)];
    } else {
      sr = nodeHash(sr, c);
    }
    [fn, sn] = [half(fn), half(sn)];
  }
  return sn === 0 && sameHash(fr, fromRoot) && sameHash(sr, toRoot);
}

/** Constant-time equality of two 32-byte hashes. */
export function sameHash(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === HASH_BYTES && b.length === HASH_BYTES && timingSafeEqual(a, b);
}

function isCount(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

function allHashes(items: readonly Uint8Array[]): boolean {
  return items.every((h) => h instanceof Uint8Array && h.length === HASH_BYTES);
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0;
}

function odd(n: number): boolean {
  return n % 2 === 1;
}

function half(n: number): number {
  return Math.floor(n / 2);
}
