import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { EMPTY_ROOT, leafHash, nodeHash } from './merkle-hash';
import { MerkleTree } from './merkle-tree';
import { verifyConsistency, verifyInclusion } from './merkle-verify';

// The RFC 6962 reference inputs used by Certificate Transparency's Merkle tree tests.
const LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'];
const ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

const hex = (b: Buffer) => b.toString('hex');

function treeOf(leaves: readonly Buffer[]): MerkleTree {
  const tree = new MerkleTree();
  for (const l of leaves) tree.append(l);
  return tree;
}

/** Straight from RFC 6962 §2.1, recursion and all: the reference the fast tree must agree with. */
function referenceRoot(leaves: readonly Buffer[]): Buffer {
  if (leaves.length === 0) return createHash('sha256').digest();
  if (leaves.length === 1) return leaves[0];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return nodeHash(referenceRoot(leaves.slice(0, k)), referenceRoot(leaves.slice(k)));
}

const referenceTree = treeOf(LEAVES.map((l) => leafHash(Buffer.from(l, 'hex'))));

describe('MerkleTree (RFC 6962 vectors)', () => {
  it('gives the empty root as SHA-256 of nothing', () => {
    expect(hex(new MerkleTree().root())).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(EMPTY_ROOT.equals(new MerkleTree().root(0))).toBe(true);
  });

  it.each(ROOTS.map((root, i) => [i + 1, root]))('gives the reference root for %i leaves', (size, root) => {
    expect(hex(referenceTree.root(size as number))).toBe(root);
  });

  it('gives the reference audit path of leaf 0 in the tree of 8', () => {
    expect(referenceTree.inclusionProof(0, 8).map(hex)).toEqual([
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ]);
  });

  it('gives the reference consistency proof from 6 to 8', () => {
    expect(referenceTree.consistencyProof(6, 8).map(hex)).toEqual([
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ]);
  });

  it('refuses sizes and indexes outside the tree', () => {
    expect(() => referenceTree.root(9)).toThrow(expect.objectContaining({ code: 'AUDIT_PROOF_RANGE' }));
    expect(() => referenceTree.inclusionProof(8, 8)).toThrow(expect.objectContaining({ code: 'AUDIT_PROOF_RANGE' }));
    expect(() => referenceTree.consistencyProof(5, 4)).toThrow(expect.objectContaining({ code: 'AUDIT_PROOF_RANGE' }));
  });
});

const leavesArb = fc.array(fc.uint8Array({ minLength: 0, maxLength: 8 }), { minLength: 1, maxLength: 70 }).map((ls) => ls.map((l, i) => leafHash(Buffer.concat([Buffer.from(`${i}:`), l]))));

/** A copy of `hashes` with one bit of one element flipped. */
function flipped(hashes: readonly Buffer[], which: number, bit: number): Buffer[] {
  return hashes.map((h, i) => {
    if (i !== which % hashes.length) return h;
    const c = Buffer.from(h);
    c[Math.floor(bit / 8) % 32] ^= 1 << bit % 8;
    return c;
  });
}

describe('MerkleTree properties', () => {
  it('agrees with the reference recursion for every prefix', () => {
    fc.assert(
      fc.property(leavesArb, (leaves) => {
        const tree = treeOf(leaves);
        for (let n = 0; n <= leaves.length; n++) expect(tree.root(n).equals(referenceRoot(leaves.slice(0, n)))).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('every inclusion proof verifies, and any tampering fails', () => {
    fc.assert(
      fc.property(leavesArb, fc.nat(), fc.nat(), fc.nat(255), (leaves, a, b, bit) => {
        const tree = treeOf(leaves);
        const size = 1 + (a % leaves.length);
        const index = b % size;
        const proof = tree.inclusionProof(index, size);
        const root = tree.root(size);
        expect(verifyInclusion(leaves[index], index, size, proof, root)).toBe(true);
        if (proof.length > 0) expect(verifyInclusion(leaves[index], index, size, flipped(proof, a, bit), root)).toBe(false);
        expect(verifyInclusion(flipped([leaves[index]], 0, bit)[0], index, size, proof, root)).toBe(false);
        expect(verifyInclusion(leaves[index], index, size, proof, flipped([root], 0, bit)[0])).toBe(false);
        if (size > 1) expect(verifyInclusion(leaves[index], (index + 1) % size, size, proof, root)).toBe(false);
        expect(verifyInclusion(leaves[index], index, size, proof.slice(0, -1), root)).toBe(proof.length === 0);
      }),
      { numRuns: 300 },
    );
  });

  it('every consistency proof verifies, and any tampering fails', () => {
    fc.assert(
      fc.property(leavesArb, fc.nat(), fc.nat(), fc.nat(255), (leaves, a, b, bit) => {
        const tree = treeOf(leaves);
        const to = 1 + (a % leaves.length);
        const from = 1 + (b % to);
        const proof = tree.consistencyProof(from, to);
        const [r1, r2] = [tree.root(from), tree.root(to)];
        expect(verifyConsistency(from, to, proof, r1, r2)).toBe(true);
        if (from === to) return;
        expect(verifyConsistency(from, to, flipped(proof, a, bit), r1, r2)).toBe(false);
        expect(verifyConsistency(from, to, proof, flipped([r1], 0, bit)[0], r2)).toBe(false);
        expect(verifyConsistency(from, to, proof, r1, flipped([r2], 0, bit)[0])).toBe(false);
        expect(verifyConsistency(from, to, proof.slice(1), r1, r2)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('a changed old leaf breaks consistency with the new tree', () => {
    fc.assert(
      fc.property(leavesArb, fc.nat(), fc.nat(255), (leaves, a, bit) => {
        fc.pre(leaves.length >= 2);
        const from = 1 + (a % (leaves.length - 1));
        const forged = treeOf(flipped(leaves.slice(0, from), a, bit));
        const tree = treeOf(leaves);
        const proof = tree.consistencyProof(from, leaves.length);
        expect(verifyConsistency(from, leaves.length, proof, forged.root(), tree.root())).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it('rejects malformed proofs instead of throwing', () => {
    const root = referenceTree.root(8);
    expect(verifyInclusion(referenceTree.leaf(0), 0, 8, [Buffer.alloc(3)], root)).toBe(false);
    expect(verifyInclusion(referenceTree.leaf(0), -1, 8, [], root)).toBe(false);
    expect(verifyConsistency(0, 8, [], EMPTY_ROOT, root)).toBe(true);
    expect(verifyConsistency(0, 8, [root], EMPTY_ROOT, root)).toBe(false);
    expect(verifyConsistency(9, 8, [], root, root)).toBe(false);
  });
});
