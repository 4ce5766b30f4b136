import { keyStream, type KeyMacAlgorithm } from '@keyledger/kms-domain';
import { computeMac, macMatches, parseMacString } from '../src';
import { actor, startOps } from './support/fixture';

const codeOf = async (p: Promise<unknown>): Promise<unknown> => p.then(() => 'resolved', (e: { code?: unknown }) => e.code);
const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** RFC 4231 §4 test cases 1, 2, 4 and 6 (key, data, and the HMAC-SHA-256/384/512 outputs). */
const RFC4231: { name: string; key: Buffer; data: Buffer; out: Record<KeyMacAlgorithm, string> }[] = [
  {
    name: 'case 1',
    key: hex('0b'.repeat(20)),
    data: Buffer.from('Hi There'),
    out: {
      HMAC_SHA256: 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7',
      HMAC_SHA384: 'afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6',
      HMAC_SHA512: '87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854',
    },
  },
  {
    name: 'case 2 (key shorter than the output)',
    key: Buffer.from('Jefe'),
    data: Buffer.from('what do ya want for nothing?'),
    out: {
      HMAC_SHA256: '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
      HMAC_SHA384: 'af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649',
      HMAC_SHA512: '164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737',
    },
  },
  {
    name: 'case 4',
    key: hex('0102030405060708090a0b0c0d0e0f10111213141516171819'),
    data: hex('cd'.repeat(50)),
    out: {
      HMAC_SHA256: '82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b',
      HMAC_SHA384: '3e8a69b7783c25851933ab6290af6ca77a9981480850009cc5577c6e1f573b4e6801dd23c4a7d679ccf8a386c674cffb',
      HMAC_SHA512: 'b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3dba91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd',
    },
  },
  {
    name: 'case 6 (key longer than the block)',
    key: hex('aa'.repeat(131)),
    data: Buffer.from('Test Using Larger Than Block-Size Key - Hash Key First'),
    out: {
      HMAC_SHA256: '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
      HMAC_SHA384: '4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe8296248df163f44952',
      HMAC_SHA512: '80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598',
    },
  },
];

describe('HMAC primitive (RFC 4231)', () => {
  for (const v of RFC4231) {
    it.each(['HMAC_SHA256', 'HMAC_SHA384', 'HMAC_SHA512'] as const)(`${v.name}: %s`, (algorithm) => {
      expect(computeMac(algorithm, v.key, v.data).toString('hex')).toBe(v.out[algorithm]);
      expect(macMatches(algorithm, v.key, v.data, hex(v.out[algorithm]))).toBe(true);
      const flipped = hex(v.out[algorithm]);
      flipped[0] ^= 1;
      expect(macMatches(algorithm, v.key, v.data, flipped)).toBe(false);
      expect(macMatches(algorithm, v.key, v.data, hex(v.out[algorithm]).subarray(0, 16))).toBe(false);
    });
  }

  it('refuses a MAC string that is not one without repeating it', () => {
    let error: { code?: string; message?: string } = {};
    try {
      parseMacString('kl1sig.secret-value');
    } catch (e) {
      error = e as typeof error;
    }
    expect(error.code).toBe('INVALID_MAC_INPUT');
    expect(error.message).not.toContain('secret-value');
  });
});

describe('MAC keys', () => {
  const msg = Buffer.from('webhook body');

  it.each([
    ['HMAC_SHA256', 32],
    ['HMAC_SHA384', 48],
    ['HMAC_SHA512', 64],
  ] as const)('%s: MACs with the primary, verifies by version, MAC string and newest-first, across rotation', async (algorithm, bytes) => {
    const { ops, store } = await startOps();
    const { key } = await ops.lifecycle.create(actor, { tenantId: 'acme', name: 'hooks', purpose: 'mac', algorithm });
    const v1 = await ops.mac.mac('acme', key.keyId, msg);
    expect(v1).toMatchObject({ keyVersion: 1, kid: `${key.keyId}.v1`, algorithm, macString: `kl1mac.${key.keyId}.v1.${v1.mac.toString('base64url')}` });
    expect(v1.mac).toHaveLength(bytes);
    await ops.lifecycle.rotate(actor, 'acme', key.keyId);
    expect((await ops.mac.mac('acme', key.keyId, msg)).keyVersion).toBe(2);
    expect(await ops.mac.verifyMac('acme', key.keyId, { message: msg, mac: v1.mac })).toEqual({ valid: true, keyVersion: 1 });
    expect(await ops.mac.verifyMac('acme', key.keyId, { message: msg, macString: v1.macString })).toEqual({ valid: true, keyVersion: 1 });
    expect(await ops.mac.verifyMac('acme', key.keyId, { message: msg, mac: v1.mac, keyVersion: 2 })).toEqual({ valid: false, keyVersion: 2 });
    expect(await ops.mac.verifyMac('acme', key.keyId, { message: Buffer.from('other'), mac: v1.mac })).toEqual({ valid: false });
    expect(await codeOf(ops.mac.mac('other', key.keyId, msg))).toBe('KEY_NOT_FOUND');
    expect(await codeOf(ops.mac.mac('acme', key.keyId, msg, 1))).toBe('KEY_VERSION_NOT_ALLOWED');
    // No material in the lifecycle stream.
    expect(JSON.stringify(await store.readStream(keyStream('acme', key.keyId)))).not.toContain(v1.mac.toString('base64'));
  });

  it('batches, refuses a MAC on a sign key, and a trimmed version answers KEY_VERSION_DESTROYED', async () => {
    const { ops } = await startOps();
    const { key } = await ops.lifecycle.create(actor, { tenantId: 'acme', name: 'hooks', purpose: 'mac' });
    const [a, b] = await ops.mac.macBatch('acme', key.keyId, [{ message: msg }, { message: Buffer.from('x') }]);
    expect(a.ok && b.ok).toBe(true);
    const old = a.ok ? a.value : null;
    const checked = await ops.mac.verifyMacBatch('acme', key.keyId, [{ message: msg, macString: old?.macString ?? '' }, { message: msg, macString: 'nope' }]);
    expect(checked[0]).toEqual({ ok: true, value: { valid: true, keyVersion: 1 } });
    expect(checked[1]).toMatchObject({ ok: false, error: { code: 'INVALID_MAC_INPUT' } });
    const sign = (await ops.lifecycle.create(actor, { tenantId: 'acme', name: 's', purpose: 'sign' })).key;
    expect(await codeOf(ops.mac.mac('acme', sign.keyId, msg))).toBe('VALIDATION_FAILED');
    await ops.lifecycle.rotate(actor, 'acme', key.keyId);
    await ops.lifecycle.update(actor, 'acme', key.keyId, { minDecryptionVersion: 2 });
    await ops.lifecycle.trim(actor, 'acme', key.keyId, 2);
    expect(await codeOf(ops.mac.verifyMac('acme', key.keyId, { message: msg, macString: old?.macString ?? '' }))).toBe('KEY_VERSION_DESTROYED');
    expect(await ops.mac.verifyMac('acme', key.keyId, { message: msg, mac: old?.mac ?? Buffer.alloc(0) })).toEqual({ valid: false });
  });
});
