import {
  replay,
  signerRegistryProjection,
  signerRegistryStream,
  signerRows,
  signersValidAt,
  type SignerOwner,
  type SignerRegistryEvent,
} from '../index';
import { inStream } from '../../test/fixtures/projected';

const t = (h: number) => new Date(Date.UTC(2025, 1, 24, h));
const registered = (kid: string, owner: SignerOwner, validUntil: Date | null = null): SignerRegistryEvent => ({
  type: 'SignerRegistered',
  schemaVersion: 1,
  data: {
    kid,
    publicKey: `PEM ${kid}`,
    algorithm: 'ECDSA_P256_SHA256',
    owner,
    validFrom: t(0).toISOString(),
    validUntil: validUntil && validUntil.toISOString(),
    registeredAt: t(0).toISOString(),
  },
});
const retired = (kid: string, h: number): SignerRegistryEvent => ({
  type: 'SignerRetired',
  schemaVersion: 2,
  data: { kid, reason: 'rotated', retiredAt: t(h).toISOString() },
});

describe('signer registry view', () => {
  const events = inStream(signerRegistryStream(), [
    registered('acme.k.v1', { kind: 'key-version', tenantId: 'acme', keyId: 'k', version: 1 }),
    registered('acme.k.v2', { kind: 'key-version', tenantId: 'acme', keyId: 'k', version: 2 }),
    registered('bg-1.k1', { kind: 'break-glass', sessionId: 'bg-1' }, t(4)),
    retired('acme.k.v1', 2),
  ]);
  const view = replay(signerRegistryProjection, events);

  it('keeps every kid ever registered, retired ones included, sorted by kid', () => {
    expect(signerRows(view).map((s) => [s.kid, s.status])).toEqual([
      ['acme.k.v1', 'Retired'],
      ['acme.k.v2', 'Active'],
      ['bg-1.k1', 'Active'],
    ]);
    expect(view.position).toBe(4);
  });

  it('lists the signers valid at a moment', () => {
    expect(signersValidAt(view, t(1)).map((s) => s.kid)).toEqual(['acme.k.v1', 'acme.k.v2', 'bg-1.k1']);
    expect(signersValidAt(view, t(3)).map((s) => s.kid)).toEqual(['acme.k.v2', 'bg-1.k1']);
    expect(signersValidAt(view, t(5)).map((s) => s.kid)).toEqual(['acme.k.v2']);
  });

  it('ignores other events', () => {
    const other = signerRegistryProjection.apply(view, {
      event: { type: 'BreakGlassExpired', schemaVersion: 1, data: { sessionId: 'bg-1', expiredAt: t(5).toISOString() } },
      streamName: 'breakglass-bg-1',
      position: 5,
    });
    expect(other.registry).toBe(view.registry);
    expect(other.position).toBe(5);
  });
});
