import { actor, startOps } from './support/fixture';

const msg = Buffer.from('m');

describe('key cache', () => {
  it('misses once, then hits without calling the provider', async () => {
    const { ops, provider } = await startOps();
    const { key } = await ops.lifecycle.create(actor, { tenantId: 'acme', name: 's', purpose: 'sign' });
    await ops.crypto.sign('acme', key.keyId, { message: msg });
    await ops.crypto.sign('acme', key.keyId, { message: msg });
    await ops.crypto.sign('acme', key.keyId, { message: msg });
    expect(provider.calls.decrypt).toBe(1);
    expect(ops.cache.stats()).toMatchObject({ hits: 2, misses: 1, size: 1 });
  });

  it('makes one provider call for 100 concurrent misses of the same key', async () => {
    const { ops, provider } = await startOps();
    const { key } = await ops.lifecycle.create(actor, { tenantId: 'acme', name: 'e', purpose: 'encrypt' });
    provider.delayMs = 20;
    const results = await Promise.all(Array.from({ length: 100 }, () => ops.crypto.encrypt('acme', key.keyId, msg)));
    expect(results).toHaveLength(100);
    expect(provider.calls.decrypt).toBe(1);
  });

  it('is invalidated by the rotation event and serves the new primary version', async () => {
    const { ops } = await startOps();
    const { key } = await ops.lifecycle.create(actor, { tenantId: 'acme', name: 's', purpose: 'sign' });
    await ops.crypto.sign('acme', key.keyId, { message: msg });
    const id = { tenantId: 'acme', keyId: key.keyId, version: 1, kind: 'private' as const };
    expect(ops.cache.has(id)).toBe(true);
    await ops.lifecycle.rotate(actor, 'acme', key.keyId);
    expect(ops.cache.has(id)).toBe(false);
    expect((await ops.crypto.sign('acme', key.keyId, { message: msg })).keyVersion).toBe(2);
  });

  it('discards a load in flight when the key is invalidated meanwhile', async () => {
    const { ops, provider } = await startOps();
    const { key } = await ops.lifecycle.create(actor, { tenantId: 'acme', name: 's', purpose: 'sign' });
    provider.delayMs = 30;
    const pending = ops.crypto.sign('acme', key.keyId, { message: msg });
    await new Promise((r) => setTimeout(r, 5));
    ops.cache.invalidateKey('acme', key.keyId);
    await pending;
    expect(ops.cache.has({ tenantId: 'acme', keyId: key.keyId, version: 1, kind: 'private' })).toBe(false);
  });

  it('expires entries after their TTL and evicts beyond max size', async () => {
    const { KeyCache, noTelemetry } = await import('../src');
    const cache = new KeyCache({ maxSize: 2, privateTtlMs: 30, publicTtlMs: 1000, telemetry: noTelemetry });
    const { createSecretKey, randomBytes } = await import('node:crypto');
    const load = async () => ({ kind: 'secret' as const, secretKey: createSecretKey(randomBytes(32)) });
    const id = (v: number) => ({ tenantId: 't', keyId: 'k', version: v, kind: 'secret' as const });
    await cache.get(id(1), 'encryption', load);
    await cache.get(id(2), 'encryption', load);
    await cache.get(id(3), 'encryption', load);
    expect(cache.has(id(1))).toBe(false);
    expect(cache.stats().size).toBe(2);
    await new Promise((r) => setTimeout(r, 40));
    expect(cache.has(id(3))).toBe(false);
  });

  it('warms the most recently rotated keys at start', async () => {
    const { ops, provider } = await startOps();
    const { key } = await ops.lifecycle.create(actor, { tenantId: 'acme', name: 's', purpose: 'sign' });
    expect(await ops.admin.warmUp(10)).toEqual({ warmed: 1, failed: 0 });
    const before = provider.calls.decrypt;
    await ops.crypto.sign('acme', key.keyId, { message: msg });
    expect(provider.calls.decrypt).toBe(before);
  });
});
