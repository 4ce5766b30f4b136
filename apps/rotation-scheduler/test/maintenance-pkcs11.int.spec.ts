import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { Pkcs11KmsProvider } from '@keyledger/adapters';
import { ProviderAuditKey } from '@keyledger/audit';
import { KmsProviderError, keyStream } from '@keyledger/kms-domain';
import { describeWith, initialiseSoftHsm2Token, softhsm2, SOFTHSM2_MODULE } from '@keyledger/testing';
import { DAY_MS, actor, newWorld, schedulerOn } from './support/harness';

const TOKEN = { label: 'keyledger-maint', pin: '1357' };
const digest = new Uint8Array(32).fill(3);

const failure = (call: Promise<unknown>): Promise<string> =>
  call.then(
    () => 'resolved',
    (e: KmsProviderError) => e.code,
  );

describeWith([softhsm2], 'provider-resident keys in a PKCS#11 token (SoftHSM2): disable, enable and destruction reach the token', () => {
  let token: { dir: string };
  let provider: Pkcs11KmsProvider;
  beforeAll(async () => {
    token = initialiseSoftHsm2Token(TOKEN.label, TOKEN.pin);
    provider = await Pkcs11KmsProvider.create({ module: SOFTHSM2_MODULE, tokenLabel: TOKEN.label, pin: TOKEN.pin, createMasterKey: true });
  });
  afterAll(async () => {
    await provider?.close();
    rmSync(token.dir, { recursive: true, force: true });
  });

  it('clears CKA_SIGN while the key is disabled, and deletes every version’s objects when the key is destroyed', async () => {
    const { store, clock } = newWorld();
    const s = await schedulerOn(store, provider, clock);
    try {
      const lifecycle = s.runtime.ops.lifecycle;
      const created = (await lifecycle.create(actor, { tenantId: 'acme', name: 'hsm', purpose: 'sign', mode: 'provider-resident' })).key;
      const other = (await lifecycle.create(actor, { tenantId: 'acme', name: 'other', purpose: 'sign', mode: 'provider-resident' })).key;
      await lifecycle.rotate(actor, 'acme', created.keyId);
      const state = await s.runtime.ports.store.readStream(keyStream('acme', created.keyId));
      const resident = state.flatMap((e) => {
        const material = (e.data as { material?: { mode: string; providerKeyRef?: string } }).material;
        return material?.mode === 'provider-resident' && material.providerKeyRef ? [material.providerKeyRef] : [];
      });
      expect(resident).toHaveLength(2);
      for (const ref of resident) expect(await provider.findKeyByLabel(`keyledger-tenant-${ref}`)).toBe(ref);

      await lifecycle.disable(actor, 'acme', created.keyId);
      for (const ref of resident) {
        expect((await provider.describeKey(ref)).state).toBe('Disabled');
        expect(await failure(provider.sign(ref, digest, 'ECDSA_SHA_256'))).toBe('KMS_KEY_DISABLED');
      }
      await lifecycle.enable(actor, 'acme', created.keyId);
      for (const ref of resident) expect((await provider.describeKey(ref)).state).toBe('Enabled');

      await lifecycle.scheduleDeletion(actor, 'acme', created.keyId, 7);
      clock.advance(8 * DAY_MS);
      expect(await s.jobs.destroyDueKeys()).toBe(true);
      for (const ref of resident) {
        expect(await failure(provider.getPublicKey(ref))).toBe('KMS_KEY_NOT_FOUND');
        expect(await provider.findKeyByLabel(`keyledger-tenant-${ref}`)).toBeNull();
      }
      expect((await lifecycle.get('acme', other.keyId)).key.status).toBe('Enabled');
      const otherRef = (await s.runtime.ports.store.readStream(keyStream('acme', other.keyId))).map((e) => (e.data as { material?: { providerKeyRef?: string } }).material?.providerKeyRef)[0] as string;
      expect(await provider.sign(otherRef, digest, 'ECDSA_SHA_256')).toBeInstanceOf(Uint8Array);
      // A second run finds nothing left to delete.
      const before = await store.headPosition();
      expect(await s.jobs.destroyDueKeys()).toBe(true);
      expect(await store.headPosition()).toBe(before);
    } finally {
      await s.runtime.close();
      await store.close();
    }
  });

  it('keeps a disabled key disabled in the token when the decision is refused, and enables nothing on a refused enable', async () => {
    const { store, clock } = newWorld();
    const s = await schedulerOn(store, provider, clock);
    try {
      const lifecycle = s.runtime.ops.lifecycle;
      const key = (await lifecycle.create(actor, { tenantId: 'acme', name: 'guarded', purpose: 'sign', mode: 'provider-resident' })).key;
      const ref = (await s.runtime.ports.store.readStream(keyStream('acme', key.keyId))).map((e) => (e.data as { material?: { providerKeyRef?: string } }).material?.providerKeyRef)[0] as string;
      const { revision } = await lifecycle.get('acme', key.keyId);
      await expect(lifecycle.disable(actor, 'acme', key.keyId, revision + 5)).rejects.toMatchObject({ code: 'PRECONDITION_FAILED' });
      expect((await provider.describeKey(ref)).state).toBe('Enabled');
      await lifecycle.disable(actor, 'acme', key.keyId);
      await expect(lifecycle.disable(actor, 'acme', key.keyId)).rejects.toMatchObject({ code: expect.any(String) });
      expect((await provider.describeKey(ref)).state).toBe('Disabled');
      await lifecycle.scheduleDeletion(actor, 'acme', key.keyId, 7);
      await expect(lifecycle.enable(actor, 'acme', key.keyId)).rejects.toMatchObject({ code: expect.any(String) });
      expect((await provider.describeKey(ref)).state).toBe('Disabled');
    } finally {
      await s.runtime.close();
      await store.close();
    }
  });

  it('disables a key although the token cannot be switched (keyledger refuses it), and enables nothing the token refused', async () => {
    const { store, clock } = newWorld();
    // The real provider, except that switching a key in the token fails as with an unreachable HSM.
    const unswitchable = Object.create(provider) as Pkcs11KmsProvider;
    unswitchable.setKeyEnabled = () => Promise.reject(new KmsProviderError('KMS_UNAVAILABLE', 'token unreachable (test)', { provider: 'pkcs11', operation: 'setKeyEnabled' }));
    const s = await schedulerOn(store, unswitchable, clock);
    try {
      const lifecycle = s.runtime.ops.lifecycle;
      const key = (await lifecycle.create(actor, { tenantId: 'acme', name: 'cut-off', purpose: 'sign', mode: 'provider-resident' })).key;
      const ref = (await store.readStream(keyStream('acme', key.keyId))).map((e) => (e.data as { material?: { providerKeyRef?: string } }).material?.providerKeyRef)[0] as string;
      expect((await lifecycle.disable(actor, 'acme', key.keyId)).key.status).toBe('Disabled');
      expect((await provider.describeKey(ref)).state).toBe('Enabled');
      await expect(s.runtime.ops.crypto.sign('acme', key.keyId, { message: Buffer.from('x') })).rejects.toMatchObject({ code: 'KEY_DISABLED' });
      await expect(lifecycle.enable(actor, 'acme', key.keyId)).rejects.toMatchObject({ code: 'KMS_UNAVAILABLE' });
      expect((await lifecycle.get('acme', key.keyId)).key.status).toBe('Disabled');
    } finally {
      await s.runtime.close();
      await store.close();
    }
  });

  it('creates the audit checkpoint key in the token under the audit label', async () => {
    const { store } = newWorld();
    const context = () => ({ eventId: randomUUID(), occurredAt: new Date().toISOString(), actor: 'service:test', correlationId: randomUUID(), causationId: null });
    const record = await new ProviderAuditKey(store, provider, context).record();
    expect(record.provider).toBe('pkcs11');
    expect(await provider.findKeyByLabel(`keyledger-audit-${record.providerKeyId}`)).toBe(record.providerKeyId);
    expect(await provider.findKeyByLabel(`keyledger-tenant-${record.providerKeyId}`)).toBeNull();
    await store.close();
  });
});
