import { createHash } from 'node:crypto';
import { leafHash } from '../merkle/merkle-hash';
import { MerkleTree } from '../merkle/merkle-tree';
import { LeafEntries } from './leaf-entries';
import { TILE_WIDTH, parseTilePath, tilePath, type TileRef } from './tile-path';
import { tileBytes } from './tiles';

const entry = (i: number) => createHash('sha256').update(`event ${i}`).digest();

function logOf(size: number): { tree: MerkleTree; entries: LeafEntries } {
  const tree = new MerkleTree();
  const entries = new LeafEntries();
  for (let i = 0; i < size; i++) {
    entries.push(entry(i));
    tree.append(leafHash(entry(i)));
  }
  return { tree, entries };
}

/** MTH of leaves [start, end) computed from scratch: what a tile hash must be. */
function subtreeRoot(start: number, end: number): Buffer {
  const t = new MerkleTree();
  for (let i = start; i < end; i++) t.append(leafHash(entry(i)));
  return t.root();
}

const hashes = (level: number, index: number, width = TILE_WIDTH): TileRef => ({ kind: 'hashes', level, index, width });

describe('tlog tile paths (C2SP tlog-tiles)', () => {
  it.each([
    ['0/000', hashes(0, 0)],
    ['1/x001/x234/067', hashes(1, 1234067)],
    ['0/255.p/17', hashes(0, 255, 17)],
    ['63/x999/999', hashes(63, 999999)],
    ['entries/001', { kind: 'entries', index: 1, width: TILE_WIDTH }],
    ['entries/x001/000.p/255', { kind: 'entries', index: 1000, width: 255 }],
  ])('reads %s and writes it back the same', (path, ref) => {
    expect(parseTilePath(path)).toEqual(ref);
    expect(tilePath(ref as TileRef)).toBe(path);
  });

  it.each([
    ['a level with a leading zero', '01/000'],
    ['a level above 63', '64/000'],
    ['an index not padded to 3 digits', '0/1'],
    ['an inner element without x', '0/001/234'],
    ['a last element with x', '0/x001'],
    ['a leading zero element', '0/x000/001'],
    ['a width of 256', '0/000.p/256'],
    ['a width of 0', '0/000.p/0'],
    ['a width with a leading zero', '0/000.p/07'],
    ['no index', 'entries'],
    ['a data level (sumdb, not C2SP)', 'data/000'],
    ['a trailing slash', '0/000/'],
    ['an empty path', ''],
  ])('refuses %s', (_what, path) => {
    expect(parseTilePath(path)).toBeNull();
  });
});

describe('tlog tiles of a tree of 70,000 leaves (the spec example)', () => {
  const { tree, entries } = logOf(70_000);
  const bytes = (ref: TileRef) => tileBytes(ref, tree, entries);

  it('serves the 273 full level-0 tiles and the partial one of width 112, nothing wider', () => {
    expect(bytes(hashes(0, 272))?.length).toBe(8192);
    expect(bytes(hashes(0, 273))).toBeNull();
    expect(bytes(hashes(0, 273, 112))?.length).toBe(112 * 32);
    expect(bytes(hashes(0, 273, 113))).toBeNull();
  });

  it('serves one full level-1 tile, the partial one of width 17 and the level-2 tile of width 1', () => {
    expect(bytes(hashes(1, 0))?.length).toBe(8192);
    expect(bytes(hashes(1, 1, 17))?.length).toBe(17 * 32);
    expect(bytes(hashes(1, 1, 18))).toBeNull();
    expect(bytes(hashes(2, 0, 1))?.length).toBe(32);
    expect(bytes(hashes(2, 0, 2))).toBeNull();
    expect(bytes(hashes(3, 0, 1))).toBeNull();
  });

  it('level-0 hashes are the leaf hashes, level-1 hashes the roots of 256-leaf subtrees, level 2 of 65,536', () => {
    const level0 = bytes(hashes(0, 3)) as Buffer;
    expect(level0.subarray(5 * 32, 6 * 32)).toEqual(leafHash(entry(3 * 256 + 5)));
    const level1 = bytes(hashes(1, 1, 17)) as Buffer;
    const i = 256 + 16;
    expect(level1.subarray(16 * 32)).toEqual(subtreeRoot(i * 256, (i + 1) * 256));
    expect(bytes(hashes(2, 0, 1))).toEqual(subtreeRoot(0, 65_536));
  });

  it('serves entry bundles as uint16-length-prefixed entries that hash to the level-0 tile', () => {
    const bundle = bytes({ kind: 'entries', index: 273, width: 112 }) as Buffer;
    expect(bundle.length).toBe(112 * 34);
    const tile = bytes(hashes(0, 273, 112)) as Buffer;
    for (let j = 0; j < 112; j++) {
      expect(bundle.readUInt16BE(j * 34)).toBe(32);
      const data = bundle.subarray(j * 34 + 2, (j + 1) * 34);
      expect(data).toEqual(entry(273 * 256 + j));
      expect(leafHash(data)).toEqual(tile.subarray(j * 32, (j + 1) * 32));
    }
    expect(bytes({ kind: 'entries', index: 273, width: 113 })).toBeNull();
    expect(bytes({ kind: 'entries', index: 0, width: TILE_WIDTH })?.length).toBe(256 * 34);
  });

  it('keeps an entry of another length (a malformed stored hash) with its own length prefix', () => {
    const odd = new LeafEntries();
    odd.push(entry(0));
    odd.push(Buffer.from('not-hex', 'utf8'));
    const bundle = odd.bundle(0, 2) as Buffer;
    expect(bundle.readUInt16BE(34)).toBe(7);
    expect(bundle.subarray(36).toString('utf8')).toBe('not-hex');
  });
});
