import { createPublicKey } from 'node:crypto';
import { signerRegistryStream } from '@keyledger/kms-domain';
import { handleKeyCommand } from '../src/keys/key-repository';
import { startBreakGlassOps, type BreakGlassFixture } from './support/break-glass-fixture';
import { actor } from './support/fixture';

const msg = Buffer.from('invoice 7');

describe('signer registry wiring', () => {
  let f: BreakGlassFixture;
  beforeEach(async () => {
    f = await startBreakGlassOps();
  });
  afterEach(() => f.ops.stop());

  it('registers every signing key version on create and rotate, with owner, public key and validity', async () => {
    const { key } = await f.ops.lifecycle.create(actor, { tenantId: 'acme', name: 'payments', purpose: 'sign' });
    await f.ops.lifecycle.create(actor, { tenantId: 'acme', name: 'vault', purpose: 'encrypt' });
    await f.ops.signers.idle();
    const v1 = f.ops.signers.find(`${key.keyId}.v1`);
    expect(v1).toMatchObject({ status: 'Active', algorithm: 'ECDSA_P256_SHA256', owner: { kind: 'key-version', tenantId: 'acme', keyId: key.keyId, version: 1 }, validUntil: null });
    const published = await f.ops.publicKeys.publicKey('acme', key.keyId);
    expect(v1?.publicKey).toBe(published.pem);
    f.clock.advance(60_000);
    await f.ops.lifecycle.rotate(actor, 'acme', key.keyId);
    await f.ops.signers.idle();
    expect(f.ops.signers.find(`${key.keyId}.v2`)).toMatchObject({ owner: { version: 2 }, validFrom: '2025-06-01T00:01:00.000Z' });
    const registered = f.store.log.filter((e) => e.streamName === signerRegistryStream()).map((e) => (e.data as { kid: string }).kid);
    expect(registered).toEqual([`${key.keyId}.v1`, `${key.keyId}.v2`]);
  });

  it('verifies old signatures and serves the JWKS from the registry while the provider is down', async () => {
    const { key } = await f.ops.lifecycle.create(actor, { tenantId: 'acme', name: 'payments', purpose: 'sign' });
    const v1sig = await f.ops.crypto.sign('acme', key.keyId, { message: msg });
    await f.ops.lifecycle.rotate(actor, 'acme', key.keyId);
    await f.ops.signers.idle();
    f.ops.cache.clear();
    f.provider.fault = 'KMS_UNAVAILABLE';
    const calls = { ...f.provider.calls };
    expect(await f.ops.crypto.verify('acme', key.keyId, { message: msg }, v1sig.signature, 1)).toEqual({ valid: true, keyVersion: 1 });
    expect(await f.ops.crypto.verify('acme', key.keyId, { message: Buffer.from('invoice 8') }, v1sig.signature, 1)).toEqual({ valid: false, keyVersion: 1 });
    const jwks = await f.ops.publicKeys.jwks('acme');
    expect(jwks.keys.map((k) => k.kid)).toEqual([`${key.keyId}.v1`, `${key.keyId}.v2`]);
    expect(createPublicKey({ key: jwks.keys[0] as never, format: 'jwk' }).export({ type: 'spki', format: 'pem' })).toBe(f.ops.signers.find(`${key.keyId}.v1`)?.publicKey);
    expect(f.provider.calls).toEqual(calls);
  });

  it('retires the signers of a destroyed key; they stay in the registry', async () => {
    const { key } = await f.ops.lifecycle.create(actor, { tenantId: 'acme', name: 'old', purpose: 'sign' });
    await f.ops.lifecycle.scheduleDeletion(actor, 'acme', key.keyId, 7);
    f.clock.advance(8 * 86_400_000);
    const ports = { store: f.store, provider: f.provider, clock: f.clock, ids: { next: () => 'destroy-1' } };
    const destroyed = await handleKeyCommand(ports, actor, { type: 'DestroyKey', tenantId: 'acme', keyId: key.keyId, now: f.clock.now() });
    await f.ops.views.waitFor(destroyed.position);
    await f.ops.signers.idle();
    expect(f.ops.signers.find(`${key.keyId}.v1`)).toMatchObject({ status: 'Retired', retiredAt: f.clock.now().toISOString() });
  });

  it('catches up at start: versions created while nobody followed are registered once', async () => {
    const quiet = await startBreakGlassOps();
    await quiet.ops.signers.idle();
    quiet.ops.signers.stop();
    const { key } = await quiet.ops.lifecycle.create(actor, { tenantId: 'acme', name: 'late', purpose: 'sign' });
    await quiet.ops.signers.idle();
    expect(quiet.ops.signers.find(`${key.keyId}.v1`)).toBeUndefined();
    await quiet.ops.stop();
    // The same store and provider: a restart.
    const again = await startBreakGlassOps({ store: quiet.store, provider: quiet.provider, clock: quiet.clock });
    await again.ops.signers.idle();
    expect(again.ops.signers.find(`${key.keyId}.v1`)?.status).toBe('Active');
    expect(await again.ops.signers.reconcile()).toBe(0);
    await again.ops.stop();
  });
});
