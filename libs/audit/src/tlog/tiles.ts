import type { MerkleTree } from '../merkle/merkle-tree';
import type { LeafEntries } from './leaf-entries';
import { TILE_HEIGHT, TILE_WIDTH, type TileRef } from './tile-path';

/**
 * The bytes of a C2SP tlog tile or entry bundle, or null when the log does not hold it (yet).
 * Tile `N` at level `L` is hashes N·256 … N·256+W−1 of tree level 8·L (each the root of a complete
 * subtree of 256^L leaves); the tree keeps exactly those, so a tile is one copy, O(W).
 */
export function tileBytes(ref: TileRef, tree: MerkleTree, entries: LeafEntries): Buffer | null {
  const start = ref.index * TILE_WIDTH;
  if (!Number.isSafeInteger(start)) return null;
  if (ref.kind === 'entries') return entries.bundle(start, ref.width);
  return tree.hashesAt(ref.level * TILE_HEIGHT, start, ref.width);
}
