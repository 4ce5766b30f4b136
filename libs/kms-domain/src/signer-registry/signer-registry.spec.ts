import {
  deciderSpec,
  findSigner,
  foldEvents,
  isSignerValidAt,
  signerRegistryDecider,
  type SignerRegistryCommand,
  type SignerRegistryEvent,
} from '../index';

const t = (h: number) => new Date(Date.UTC(2025, 1, 24, h));
const PEM = '-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----\n';
const spec = deciderSpec(signerRegistryDecider);
const owner = { kind: 'key-version', tenantId: 'acme', keyId: 'payments', version: 1 } as const;

const register = (patch: Record<string, unknown> = {}) =>
  ({
    type: 'RegisterSigner',
    kid: 'acme.payments.v1',
    publicKey: PEM,
    algorithm: 'ECDSA_P256_SHA256',
    owner,
    validFrom: t(0),
    now: t(0),
    ...patch,
  }) as SignerRegistryCommand;
const retire = (kid = 'acme.payments.v1', patch: Record<string, unknown> = {}) =>
  ({ type: 'RetireSigner', kid, now: t(5), ...patch }) as SignerRegistryCommand;

const registered: SignerRegistryEvent = {
  type: 'SignerRegistered',
  schemaVersion: 1,
  data: {
    kid: 'acme.payments.v1',
    publicKey: PEM,
    algorithm: 'ECDSA_P256_SHA256',
    owner,
    validFrom: t(0).toISOString(),
    validUntil: null,
    registeredAt: t(0).toISOString(),
  },
};
const retired: SignerRegistryEvent = {
  type: 'SignerRetired',
  schemaVersion: 2,
  data: { kid: 'acme.payments.v1', reason: null, retiredAt: t(5).toISOString() },
};

describe('SignerRegistry decider', () => {
  it('registers a key-version signer', () => {
    spec.given([]).when(register()).then([registered]);
  });

  it('registers a break-glass signer with a validity window', () => {
    const { events } = spec
      .given([])
      .when(register({ kid: 'bg-1', owner: { kind: 'break-glass', sessionId: 'bg-1' }, validUntil: t(4) }))
      .run();
    expect(events[0].data).toMatchObject({ owner: { kind: 'break-glass', sessionId: 'bg-1' }, validUntil: t(4).toISOString() });
  });

  it('never reuses a kid, even after retirement', () => {
    spec.given([registered]).when(register()).thenThrows('SIGNER_KID_REUSED');
    spec.given([registered, retired]).when(register({ publicKey: 'other' })).thenThrows('SIGNER_KID_REUSED');
  });

  it('treats prototype property names as ordinary kids', () => {
    spec.given([]).when(retire('constructor')).thenThrows('SIGNER_NOT_FOUND');
    expect(spec.given([]).when(register({ kid: 'constructor' })).run().events).toHaveLength(1);
  });

  it.each([
    ['kid with a separator', { kid: 'a:b' }],
    ['empty public key', { publicKey: '' }],
    ['oversized public key', { publicKey: 'x'.repeat(8193) }],
    ['encryption algorithm', { algorithm: 'AES_256_GCM' }],
    ['unknown owner', { owner: { kind: 'someone' } }],
    ['key-version owner without version', { owner: { ...owner, version: 0 } }],
    ['break-glass owner with bad id', { owner: { kind: 'break-glass', sessionId: '' } }],
    ['validUntil before validFrom', { validUntil: t(0) }],
    ['invalid validFrom', { validFrom: 'yesterday' }],
    ['invalid now', { now: undefined }],
  ])('refuses registration with %s', (_name, patch) => {
    spec.given([]).when(register(patch)).thenThrows('VALIDATION_FAILED');
  });

  it('retires a signer, with an optional reason', () => {
    spec.given([registered]).when(retire()).then([retired]);
    const { events } = spec.given([registered]).when(retire(undefined, { reason: 'rotated' })).run();
    expect(events[0].data).toMatchObject({ reason: 'rotated' });
    spec.given([registered]).when(retire(undefined, { reason: '' })).thenThrows('VALIDATION_FAILED');
  });

  it('refuses to retire an unknown or already retired signer', () => {
    spec.given([]).when(retire()).thenThrows('SIGNER_NOT_FOUND');
    spec.given([registered, retired]).when(retire()).thenThrows('INVALID_STATE_TRANSITION');
    spec.given([]).when(retire('../x')).thenThrows('VALIDATION_FAILED');
  });

  it('refuses an unknown command, ignores retirement of unknown kids in evolve, fails on unknown events', () => {
    spec.given([]).when({ ...retire(), type: 'Forget' } as never).thenThrows('VALIDATION_FAILED');
    expect(signerRegistryDecider.evolve({ signers: {} }, retired)).toEqual({ signers: {} });
    expect(() => signerRegistryDecider.evolve({ signers: {} }, { type: 'X' } as never)).toThrow('Unhandled');
  });
});

describe('signer validity', () => {
  it('accepts signatures inside the window and before retirement only', () => {
    const windowed = { ...registered, data: { ...registered.data, validFrom: t(1).toISOString(), validUntil: t(10).toISOString() } };
    const state = foldEvents(signerRegistryDecider, [windowed as SignerRegistryEvent, retired]);
    const signer = findSigner(state, 'acme.payments.v1');
    expect(isSignerValidAt(signer, t(0))).toBe(false);
    expect(isSignerValidAt(signer, t(4))).toBe(true);
    expect(isSignerValidAt(signer, t(5))).toBe(false);
    const active = findSigner(foldEvents(signerRegistryDecider, [windowed as SignerRegistryEvent]), 'acme.payments.v1');
    expect(isSignerValidAt(active, t(9))).toBe(true);
    expect(isSignerValidAt(active, t(10))).toBe(false);
  });

  it('an unbounded signer stays valid until retired', () => {
    const signer = findSigner(foldEvents(signerRegistryDecider, [registered]), 'acme.payments.v1');
    expect(isSignerValidAt(signer, new Date('2035-01-01T00:00:00Z'))).toBe(true);
  });

  it('unknown kids are SIGNER_NOT_FOUND', () => {
    expect(() => findSigner({ signers: {} }, 'nope')).toThrow(expect.objectContaining({ code: 'SIGNER_NOT_FOUND' }));
  });
});
