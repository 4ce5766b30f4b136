import { breakerStream } from '@keyledger/kms-domain';
import { actor, startOps } from './support/fixture';

describe('admin operations', () => {
  it('validates with real round trips, PASS per step with latency', async () => {
    const { ops } = await startOps();
    const report = await ops.admin.validate();
    expect(report.status).toBe('PASS');
    expect(Object.keys(report.tests)).toEqual(['generate_data_key', 'encrypt', 'decrypt', 'sign', 'verify']);
    expect(typeof report.latency_ms.generate_data_key).toBe('number');
  });

  it('reports FAIL per step when the provider refuses', async () => {
    const { ops, provider } = await startOps();
    provider.fault = 'KMS_ACCESS_DENIED';
    const report = await ops.admin.validate();
    expect(report.status).toBe('FAIL');
    expect(report.tests.encrypt).toMatchObject({ status: 'FAIL', error: 'KMS_ACCESS_DENIED' });
  });

  it('reports status, tests key retrieval through the cache and rotates all keys', async () => {
    const { ops } = await startOps();
    await ops.lifecycle.create(actor, { tenantId: 'acme', name: 's', purpose: 'sign' });
    await ops.lifecycle.create(actor, { tenantId: 'acme', name: 'e', purpose: 'encrypt' });
    expect(await ops.admin.testKeyRetrieval('acme')).toMatchObject({ status: 'success', cache_hit: false });
    expect(await ops.admin.testKeyRetrieval('acme')).toMatchObject({ status: 'success', cache_hit: true });
    await expect(ops.admin.testKeyRetrieval('nobody')).rejects.toMatchObject({ code: 'KEY_NOT_FOUND' });
    const job = await ops.admin.rotateAll(actor);
    await ops.rotationJobs.idle();
    expect(await ops.admin.rotationJob(job.jobId)).toMatchObject({ status: 'completed', total: 2, rotated: 2 });
    const status = await ops.admin.status();
    expect(status).toMatchObject({ provider: 'local', keys: { total: 2, by_status: { Enabled: 2 } }, signing_freeze: { frozen: false }, projection_lag: 0 });
    expect((status.breakers as { name: string }[]).map((b) => b.name)).toEqual(['kms-signing-key', 'kms-public-key', 'kms-encryption-key']);
  });

  it('fails closed on an unreachable provider: KMS_UNAVAILABLE, then CIRCUIT_OPEN with a retry-after, recorded as events', async () => {
    const { ops, provider, store } = await startOps();
    const { key } = await ops.lifecycle.create(actor, { tenantId: 'acme', name: 'e', purpose: 'encrypt' });
    provider.fault = 'KMS_UNAVAILABLE';
    await expect(ops.crypto.encrypt('acme', key.keyId, Buffer.from('x'))).rejects.toMatchObject({ code: 'KMS_UNAVAILABLE' });
    await expect(ops.crypto.encrypt('acme', key.keyId, Buffer.from('x'))).rejects.toMatchObject({ code: 'KMS_UNAVAILABLE' });
    const open = await ops.crypto.encrypt('acme', key.keyId, Buffer.from('x')).catch((e: { code: string; retryAfterMs: number }) => e);
    expect(open).toMatchObject({ code: 'CIRCUIT_OPEN' });
    expect((open as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(0);
    await ops.breakerRecorder.flush();
    const events = await store.readStream(breakerStream('kms-encryption-key'));
    expect(events.map((e) => e.type)).toEqual(['BreakerOpened']);
  });
});
