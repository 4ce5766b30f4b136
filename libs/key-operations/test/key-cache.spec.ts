import { createSecretKey, randomBytes } from 'node:crypto';
import { KeyCache, noTelemetry, type RetrievalTracer } from '../src';
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

  it('answers a hit without a promise, counted as get counts it; a miss counts nothing; traced caches always take get', async () => {
    const hits: string[] = [];
    const telemetry = { ...noTelemetry, cacheHit: (t: string) => void hits.push(t) };
    const id = { tenantId: 't', keyId: 'k', version: 1, kind: 'secret' as const };
    const entry = { kind: 'secret' as const, secretKey: createSecretKey(randomBytes(32)) };
    const cache = new KeyCache({ maxSize: 10, privateTtlMs: 60_000, publicTtlMs: 60_000, telemetry });
    expect(cache.hit(id, 'encryption')).toBeUndefined();
    expect(cache.stats()).toMatchObject({ hits: 0, misses: 0 });
    await cache.get(id, 'encryption', async () => entry);
    expect(cache.hit(id, 'encryption')).toBe(entry);
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 1 });
    expect(hits).toEqual(['encryption']);

    const spans: string[] = [];
    const tracer: RetrievalTracer = (input, fn) => {
      spans.push(input.keyType);
      return fn({ cacheChecked: () => undefined });
    };
    const traced = new KeyCache({ maxSize: 10, privateTtlMs: 60_000, publicTtlMs: 60_000, telemetry: noTelemetry, tracer });
    await traced.get(id, 'encryption', async () => entry);
    expect(traced.hit(id, 'encryption')).toBeUndefined();
    expect((await traced.get(id, 'encryption', async () => entry)).hit).toBe(true);
    expect(spans).toEqual(['encryption', 'encryption']);
  });
});
