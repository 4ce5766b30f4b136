import { breakGlassStream, keyMaterialVersionStream, keyStream, type EventStore } from '@keyledger/kms-domain';
import { DAY_MS, actor, keyEvents, localProvider, newWorld, schedulerOn } from './support/harness';

const HOUR = 3_600_000;

async function activeSession(store: EventStore, sessionId: string, at: Date, ttlSeconds: number): Promise<void> {
  const meta = (n: number) => ({ eventId: `${sessionId}-${n}`, occurredAt: at.toISOString(), actor: 'user:alice', correlationId: 'c', causationId: null });
  const expiresAt = new Date(at.getTime() + ttlSeconds * 1000).toISOString();
  await store.append(breakGlassStream(sessionId), [
    {
      type: 'BreakGlassRequested',
      schemaVersion: 1,
      data: { sessionId, requester: 'user:alice', scope: { kind: 'global' }, justification: 'KMS outage, release must be signed', incidentRef: 'INC-1', ttlSeconds, requestedAt: at.toISOString() },
      metadata: meta(1),
    },
    {
      type: 'BreakGlassActivated',
      schemaVersion: 1,
      data: { sessionId, kid: `bg-${sessionId}`, publicKey: 'PEM', algorithm: 'ED25519', activatedAt: at.toISOString(), expiresAt },
      metadata: meta(2),
    },
  ]);
}

describe('key deletion job', () => {
  it('destroys keys whose deletion window has passed and deletes their material stream; keeps the others', async () => {
    const { store, clock } = newWorld();
    const provider = await localProvider();
    const s = await schedulerOn(store, provider, clock);
    try {
      const lifecycle = s.runtime.ops.lifecycle;
      const gone = (await lifecycle.create(actor, { tenantId: 'acme', name: 'gone', purpose: 'encrypt' })).key;
      const later = (await lifecycle.create(actor, { tenantId: 'acme', name: 'later', purpose: 'sign' })).key;
      const kept = (await lifecycle.create(actor, { tenantId: 'acme', name: 'kept', purpose: 'encrypt' })).key;
      await lifecycle.scheduleDeletion(actor, 'acme', gone.keyId, 7);
      clock.advance(2 * DAY_MS);
      await lifecycle.scheduleDeletion(actor, 'acme', later.keyId, 7);
      clock.advance(6 * DAY_MS);
      expect(await s.jobs.destroyDueKeys()).toBe(true);
      expect((await store.readStream(keyStream('acme', gone.keyId))).map((e) => e.type).slice(-1)).toEqual(['KeyDestroyed']);
      expect(await store.readStream(keyMaterialVersionStream('acme', gone.keyId, 1))).toEqual([]);
      expect((await lifecycle.get('acme', later.keyId)).key.status).toBe('PendingDeletion');
      expect((await store.readStream(keyMaterialVersionStream('acme', later.keyId, 1))).length).toBe(1);
      expect((await lifecycle.get('acme', kept.keyId)).key.status).toBe('Enabled');
      // Idempotent: a second run (or a second replica) finds nothing to do.
      const before = await store.headPosition();
      expect(await s.jobs.destroyDueKeys()).toBe(true);
      expect(await store.headPosition()).toBe(before);
    } finally {
      await s.runtime.close();
      await provider.close();
      await store.close();
    }
  });
});

describe('key deletion job with provider-resident keys', () => {
  it('deletes the key in the provider, and again on a later run when the provider was down; then asks no more', async () => {
    const { store, clock } = newWorld();
    const provider = await localProvider();
    const s = await schedulerOn(store, provider, clock);
    try {
      const lifecycle = s.runtime.ops.lifecycle;
      const key = (await lifecycle.create(actor, { tenantId: 'acme', name: 'resident', purpose: 'sign', mode: 'provider-resident' })).key;
      const [created] = await keyEvents(store, 'acme', key.keyId);
      const ref = (created.data as { material: { providerKeyRef: string } }).material.providerKeyRef;
      await lifecycle.scheduleDeletion(actor, 'acme', key.keyId, 7);
      clock.advance(8 * DAY_MS);

      provider.down = true;
      expect(await s.jobs.destroyDueKeys()).toBe(false);
      provider.down = false;
      expect((await keyEvents(store, 'acme', key.keyId)).map((e) => e.type).slice(-1)).toEqual(['KeyDestroyed']);
      expect((await provider.describeKey(ref)).state).toBe('Enabled');

      await s.runtime.ops.views.waitFor(await store.headPosition());
      expect(await s.jobs.destroyDueKeys()).toBe(true);
      await expect(provider.describeKey(ref)).rejects.toMatchObject({ code: 'KMS_KEY_NOT_FOUND' });
      const calls = provider.calls;
      expect(await s.jobs.destroyDueKeys()).toBe(true);
      expect(provider.calls).toBe(calls);
    } finally {
      await s.runtime.close();
      await provider.close();
      await store.close();
    }
  });
});

describe('break-glass expiry job', () => {
  it('expires sessions past their ttl and records their emergency key destroyed', async () => {
    const { store, clock } = newWorld();
    const provider = await localProvider();
    await activeSession(store, 'bg-old', clock.now(), 3600);
    await activeSession(store, 'bg-new', clock.now(), 4 * 3600);
    const s = await schedulerOn(store, provider, clock);
    try {
      clock.advance(2 * HOUR);
      s.jobs.refreshGauges();
      expect(s.recorder.active).toBe(2);
      expect(await s.jobs.expireBreakGlass()).toBe(true);
      expect((await store.readStream(breakGlassStream('bg-old'))).map((e) => e.type).slice(2)).toEqual(['BreakGlassExpired', 'BreakGlassEmergencyKeyDestroyed']);
      expect(await store.readStream(breakGlassStream('bg-new'))).toHaveLength(2);
      await s.runtime.ops.views.waitFor(await store.headPosition());
      s.jobs.refreshGauges();
      expect(s.recorder.active).toBe(1);
      expect(await s.jobs.expireBreakGlass()).toBe(true);
      expect(await store.readStream(breakGlassStream('bg-old'))).toHaveLength(4);
    } finally {
      await s.runtime.close();
      await provider.close();
      await store.close();
    }
  });
});

describe('version trim job', () => {
  it('trims only keys whose retainVersions asks for it, keeping the newest versions, and is idempotent', async () => {
    const { store, clock } = newWorld();
    const provider = await localProvider();
    const s = await schedulerOn(store, provider, clock);
    try {
      const lifecycle = s.runtime.ops.lifecycle;
      const retained = (await lifecycle.create(actor, { tenantId: 'acme', name: 'retained', purpose: 'encrypt' })).key;
      const untouched = (await lifecycle.create(actor, { tenantId: 'acme', name: 'untouched', purpose: 'encrypt' })).key;
      for (const key of [retained, untouched]) {
        for (let i = 0; i < 3; i++) await lifecycle.rotate(actor, 'acme', key.keyId);
        await lifecycle.update(actor, 'acme', key.keyId, { minDecryptionVersion: 4 });
      }
      await lifecycle.update(actor, 'acme', retained.keyId, { retainVersions: 2 });
      expect(await s.jobs.trimRetainedVersions()).toBe(true);
      const trimmed = (await lifecycle.get('acme', retained.keyId)).key;
      expect(trimmed.minAvailableVersion).toBe(3);
      expect(await store.readStream(keyMaterialVersionStream('acme', retained.keyId, 2))).toEqual([]);
      expect((await store.readStream(keyMaterialVersionStream('acme', retained.keyId, 3))).length).toBe(1);
      // Off by default: the other key keeps every version.
      expect((await lifecycle.get('acme', untouched.keyId)).key.minAvailableVersion).toBe(1);
      expect((await store.readStream(keyMaterialVersionStream('acme', untouched.keyId, 1))).length).toBe(1);
      const before = await store.headPosition();
      expect(await s.jobs.trimRetainedVersions()).toBe(true);
      expect(await store.headPosition()).toBe(before);
    } finally {
      await s.runtime.close();
      await provider.close();
      await store.close();
    }
  });
});
