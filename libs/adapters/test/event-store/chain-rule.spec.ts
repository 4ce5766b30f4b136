import { createHash } from 'node:crypto';
import { GENESIS_HASH } from '@keyledger/kms-domain';
import { CHAIN_FAULT_HASH, CHAIN_FAULT_PREV_HASH, CHAIN_FAULT_REVISION, CHAIN_LINK_OK, chainHash, chainLinkFaults } from '../../src/event-store/chain-rule';

describe('chainHash', () => {
  it('is SHA-256 over the previous hash followed by the canonical body', () => {
    const body = '{"a":1}';
    expect(chainHash(GENESIS_HASH, body)).toBe(createHash('sha256').update(GENESIS_HASH + body).digest('hex'));
  });

  it('hashes the UTF-8 bytes of non-ASCII bodies', () => {
    const body = '{"s":"ünï😀"}';
    expect(chainHash(GENESIS_HASH, body)).toBe(createHash('sha256').update(GENESIS_HASH, 'utf8').update(body, 'utf8').digest('hex'));
  });
});

describe('chainLinkFaults', () => {
  const first = '{"n":0}';
  const second = '{"n":1}';
  const h0 = chainHash(GENESIS_HASH, first);
  const h1 = chainHash(h0, second);
  const head = { revision: 0, hash: h0 };

  it('accepts revision 0 from GENESIS_HASH and each next revision linked to its head', () => {
    expect(chainLinkFaults(undefined, 0, GENESIS_HASH, h0, first)).toBe(CHAIN_LINK_OK);
    expect(chainLinkFaults(head, 1, h0, h1, second)).toBe(CHAIN_LINK_OK);
  });

  it('reports a revision that does not follow, and then does not compare the link', () => {
    expect(chainLinkFaults(undefined, 1, 'x', chainHash('x', second), second)).toBe(CHAIN_FAULT_REVISION);
    expect(chainLinkFaults(head, 2, 'x', chainHash('x', second), second)).toBe(CHAIN_FAULT_REVISION);
    expect(chainLinkFaults(head, 0, GENESIS_HASH, h0, first)).toBe(CHAIN_FAULT_REVISION);
  });

  it('reports a prevHash that is not the head hash (GENESIS_HASH first)', () => {
    expect(chainLinkFaults(undefined, 0, h1, chainHash(h1, first), first)).toBe(CHAIN_FAULT_PREV_HASH);
    expect(chainLinkFaults(head, 1, GENESIS_HASH, chainHash(GENESIS_HASH, second), second)).toBe(CHAIN_FAULT_PREV_HASH);
  });

  it('always recomputes the hash, alone or with a link fault', () => {
    expect(chainLinkFaults(head, 1, h0, h1, '{"n":2}')).toBe(CHAIN_FAULT_HASH);
    expect(chainLinkFaults(head, 3, h0, h1, '{"n":2}')).toBe(CHAIN_FAULT_REVISION | CHAIN_FAULT_HASH);
    expect(chainLinkFaults(head, 1, GENESIS_HASH, h1, second)).toBe(CHAIN_FAULT_PREV_HASH | CHAIN_FAULT_HASH);
  });
});
