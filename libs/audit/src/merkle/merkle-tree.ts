import { EMPTY_ROOT, HASH_BYTES, nodeHash, siblingsDigest } from './merkle-hash';
import { ProofRangeError } from '../audit-errors';

/**
 * An append-only RFC 6962 Merkle tree (SHA-256) that keeps every complete power-of-two subtree,
 * so appending costs one node hash amortised and any root, inclusion proof or consistency proof
 * for any earlier size costs O(log² n) lookups and a few hashes. `levels[k][i]` is the hash of
 * leaves [i·2^k, (i+1)·2^k).
 */
export class MerkleTree {
  private readonly levels: Level[] = [new Level()];

  /** Number of leaves. */
  get size(): number {
    return this.levels[0].count;
  }

  /** Adds one leaf hash (already `leafHash`-ed) and completes the subtrees it closes. */
  append(leaf: Uint8Array): void {
    this.appendDigest(Buffer.from(leaf.buffer, leaf.byteOffset, leaf.byteLength).toString('latin1'));
  }

  /** `append` for a leaf hash given as a 32-character latin1 string (see `eventLeafDigest`). */
  appendDigest(leaf: string): void {
    let digest = leaf;
    for (let level = 0; ; level++) {
      if (this.levels.length === level) this.levels.push(new Level());
      const row = this.levels[level];
      row.push(digest);
      if ((row.count & 1) === 1) return;
      digest = siblingsDigest(row.lastPair());
    }
  }

  /** The leaf hash at `index`. */
  leaf(index: number): Buffer {
    this.assertRange(index, this.size - 1);
    return Buffer.from(this.levels[0].at(index));
  }

  /**
   * `count` consecutive hashes of level `level` (each the MTH of 2^level leaves) from index `start`,
   * back to back: the body of a tlog tile. Null when the tree does not hold them all yet.
   */
  hashesAt(level: number, start: number, count: number): Buffer | null {
    const row = this.levels[level];
    if (row === undefined || start < 0 || count < 1 || start + count > row.count) return null;
    return row.span(start, count);
  }

  /** MTH of the first `size` leaves (default: all); the empty tree's root is SHA-256(""). */
  root(size: number = this.size): Buffer {
    this.assertRange(size, this.size);
    return size === 0 ? Buffer.from(EMPTY_ROOT) : Buffer.from(this.subtree(0, size));
  }

  /** RFC 6962 audit path of leaf `index` in the tree of the first `size` leaves. */
  inclusionProof(index: number, size: number): Buffer[] {
    this.assertRange(size, this.size);
    if (!Number.isInteger(index) || index < 0 || index >= size) throw new ProofRangeError(`leaf index ${index} is outside a tree of ${size}`);
    const proof: Buffer[] = [];
    this.path(index, 0, size, proof);
    return proof;
  }

  /** RFC 6962 consistency proof between the trees of the first `from` and `to` leaves. */
  consistencyProof(from: number, to: number): Buffer[] {
    this.assertRange(to, this.size);
    if (!Number.isInteger(from) || from < 0 || from > to) throw new ProofRangeError(`cannot prove ${from} against ${to}`);
    const proof: Buffer[] = [];
    if (from > 0 && from < to) this.subproof(from, 0, to, true, proof);
    return proof;
  }

  /** MTH(D[start:end]); start is always aligned to the largest power of two below the span. */
  private subtree(start: number, end: number): Buffer {
    const n = end - start;
    if ((n & (n - 1)) === 0) {
      const level = Math.log2(n);
      return this.levels[level].at(start / n);
    }
    const k = splitPoint(n);
    return nodeHash(this.subtree(start, start + k), this.subtree(start + k, end));
  }

  private copyOf(start: number, end: number): Buffer {
    return Buffer.from(this.subtree(start, end));
  }

  private path(m: number, start: number, end: number, proof: Buffer[]): void {
    const n = end - start;
    if (n <= 1) return;
    const k = splitPoint(n);
    if (m < k) {
      this.path(m, start, start + k, proof);
      proof.push(this.copyOf(start + k, end));
    } else {
      this.path(m - k, start + k, end, proof);
      proof.push(this.copyOf(start, start + k));
    }
  }

  private subproof(m: number, start: number, end: number, whole: boolean, proof: Buffer[]): void {
    const n = end - start;
    if (m === n) {
      if (!whole) proof.push(this.copyOf(start, end));
      return;
    }
    const k = splitPoint(n);
    if (m <= k) {
      this.subproof(m, start, start + k, whole, proof);
      proof.push(this.copyOf(start + k, end));
    } else {
      this.subproof(m - k, start + k, end, false, proof);
      proof.push(this.copyOf(start, start + k));
    }
  }

  private assertRange(value: number, max: number): void {
    if (!Number.isInteger(value) || value < 0 || value > max) throw new ProofRangeError(`${value} is outside 0..${max}`);
  }
}

/** One level of the tree: its hashes back to back in one growing buffer. */
class Level {
  count = 0;
  private buf = Buffer.alloc(HASH_BYTES * 1024);

  push(digest: string): void {
    const offset = this.count * HASH_BYTES;
    if (offset + HASH_BYTES > this.buf.length) {
      const grown = Buffer.alloc(this.buf.length * 2);
      this.buf.copy(grown);
      this.buf = grown;
    }
    this.buf.write(digest, offset, HASH_BYTES, 'latin1');
    this.count += 1;
  }

  /** Hash `i`, as a view (callers copy what they keep). */
  at(i: number): Buffer {
    return this.buf.subarray(i * HASH_BYTES, (i + 1) * HASH_BYTES);
  }

  /** A copy of `count` hashes from `start`. */
  span(start: number, count: number): Buffer {
    return Buffer.from(this.buf.subarray(start * HASH_BYTES, (start + count) * HASH_BYTES));
  }

  /** The last two hashes, adjacent in memory: left ‖ right. */
  lastPair(): Buffer {
    const end = this.count * HASH_BYTES;
    return this.buf.subarray(end - 2 * HASH_BYTES, end);
  }
}

/** Largest power of two strictly below n (n ≥ 2). */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}
