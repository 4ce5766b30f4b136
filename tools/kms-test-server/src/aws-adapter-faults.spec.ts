import { AwsKmsProvider } from '@keyledger/adapters';
import { isKmsProviderError, type KmsErrorCode, type KmsProviderError } from '@keyledger/kms-domain';
import { parseServerArgs } from './args';
import { runFaultCommand } from './fault-command';
import type { FaultMode } from './faults';
import { startKmsTestServer, type KmsTestServer, type KmsTestServerOptions } from './server';

// Each fault mode of the test server, switched at start, through the admin endpoint or the CLI,
// must reach keyledger's AWS adapter as the right typed error (and the SDK must not retry).

const CTX = { tenantId: 't-1' };
const started: KmsTestServer[] = [];

async function serverWithAdapter(options: KmsTestServerOptions = {}, callTimeoutMs?: number): Promise<{ server: KmsTestServer; kms: AwsKmsProvider }> {
  const server = await startKmsTestServer({ aliases: ['alias/master'], ...options });
  started.push(server);
  const kms = await AwsKmsProvider.create({
    masterKeyId: 'alias/master',
    region: 'us-east-1',
    endpoint: server.url,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    ...(callTimeoutMs === undefined ? {} : { callTimeoutMs }),
  });
  return { server, kms };
}

async function kmsFailure(call: Promise<unknown>, code: KmsErrorCode): Promise<KmsProviderError> {
  const error = await call.then(() => undefined, (e: unknown) => e);
  if (!isKmsProviderError(error)) throw new Error(`expected ${code}, got ${String(error)}`);
  expect(error.code).toBe(code);
  return error;
}

let shared: { server: KmsTestServer; kms: AwsKmsProvider };
beforeAll(async () => {
  shared = await serverWithAdapter();
});
afterEach(() => shared.server.faults.clear());
afterAll(async () => {
  await shared.kms.close();
  await Promise.all(started.map((s) => s.close()));
});

describe('test-server faults reach the AWS adapter as typed errors', () => {
  it.each<[FaultMode, KmsErrorCode, boolean, string, number | undefined]>([
    ['throttle', 'KMS_THROTTLED', true, 'ThrottlingException', 400],
    ['internal-error', 'KMS_UNAVAILABLE', true, 'KMSInternalException', 500],
    ['unavailable', 'KMS_UNAVAILABLE', true, 'ServiceUnavailableException', 503],
    ['access-denied', 'KMS_ACCESS_DENIED', false, 'AccessDeniedException', 400],
    ['disabled-key', 'KMS_KEY_DISABLED', false, 'DisabledException', 400],
    ['connection-reset', 'KMS_NETWORK', true, 'ECONNRESET', undefined],
  ])('%s becomes %s (transient: %s) after exactly one attempt', async (mode, code, transient, providerCode, httpStatus) => {
    shared.server.faults.set({ mode });
    const before = shared.server.faults.stats().requests;
    const error = await kmsFailure(shared.kms.generateDataKey(CTX), code);
    expect(error).toMatchObject({ transient, providerCode, httpStatus, provider: 'aws', operation: 'generateDataKey' });
    expect(shared.server.faults.stats().requests - before).toBe(1);
  });

  it('black hole: the caller signal ends the call as a transient KMS_TIMEOUT, or KMS_ABORTED when cancelled', async () => {
    shared.server.faults.set({ mode: 'black-hole' });
    const started = Date.now();
    const timeout = await kmsFailure(shared.kms.decrypt(Uint8Array.of(1, 2, 3), CTX, { signal: AbortSignal.timeout(150) }), 'KMS_TIMEOUT');
    expect(timeout.transient).toBe(true);
    expect(Date.now() - started).toBeLessThan(2000);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    await kmsFailure(shared.kms.describeKey(undefined, { signal: controller.signal }), 'KMS_ABORTED');
  });

  it("black hole: the adapter's own call timeout applies without a caller signal, and health reports down", async () => {
    const { server, kms } = await serverWithAdapter({ faults: { mode: 'black-hole' } }, 150);
    await kmsFailure(kms.generateDataKey(CTX), 'KMS_TIMEOUT');
    expect(await kms.healthProbe()).toMatchObject({ status: 'down', provider: 'aws', code: 'KMS_TIMEOUT' });
    server.faults.clear();
    expect(await kms.healthProbe()).toMatchObject({ status: 'up' });
    await kms.close();
  });

  it('fixed latency past the deadline times out; fixed latency within it only slows the call', async () => {
    shared.server.faults.set({ latencyMs: 300 });
    await kmsFailure(shared.kms.generateDataKey(CTX, { signal: AbortSignal.timeout(100) }), 'KMS_TIMEOUT');
    shared.server.faults.set({ latencyMs: 60, jitterMs: 20 });
    const started = Date.now();
    expect((await shared.kms.generateDataKey(CTX)).plaintext).toHaveLength(32);
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
  });

  it('fails the next N calls, then recovers', async () => {
    shared.server.faults.set({ mode: 'unavailable', failNext: 2 });
    await kmsFailure(shared.kms.encrypt(Uint8Array.of(1), CTX), 'KMS_UNAVAILABLE');
    await kmsFailure(shared.kms.encrypt(Uint8Array.of(1), CTX), 'KMS_UNAVAILABLE');
    expect(await shared.kms.encrypt(Uint8Array.of(1), CTX)).toBeInstanceOf(Uint8Array);
    expect(shared.server.faults.current()).toMatchObject({ mode: 'unavailable', failNext: 0 });
  });

  it('limits a fault to the listed operations', async () => {
    shared.server.faults.set({ mode: 'access-denied', operations: ['Sign'] });
    const { keyId } = await shared.kms.createAsymmetricKey('ECC_NIST_P256');
    await kmsFailure(shared.kms.sign(keyId, new Uint8Array(32), 'ECDSA_SHA_256'), 'KMS_ACCESS_DENIED');
    expect(await shared.kms.getPublicKey(keyId)).toBeInstanceOf(Uint8Array);
  });

  it('switches faults at run time through the admin endpoint', async () => {
    const put = await fetch(`${shared.server.url}/__admin/faults`, { method: 'PUT', body: JSON.stringify({ mode: 'throttle', failNext: 1 }) });
    expect(put.status).toBe(200);
    await kmsFailure(shared.kms.describeKey(), 'KMS_THROTTLED');
    expect((await shared.kms.describeKey()).state).toBe('Enabled');
    const bad = await fetch(`${shared.server.url}/__admin/faults`, { method: 'PUT', body: JSON.stringify({ mode: 'meteor' }) });
    expect(bad.status).toBe(400);
    const stats = (await (await fetch(`${shared.server.url}/__admin/stats`)).json()) as { faultsInjected: number; byOperation: Record<string, number> };
    expect(stats.faultsInjected).toBeGreaterThan(0);
    expect(stats.byOperation['DescribeKey']).toBeGreaterThanOrEqual(2);
  });

  it('switches faults at run time through the CLI', async () => {
    const out: string[] = [];
    const io = { write: (t: string) => out.push(t) };
    expect(await runFaultCommand(['--url', shared.server.url, 'set', 'disabled-key', '--fail-next', '1', '--latency-ms', '5'], io)).toBe(0);
    await kmsFailure(shared.kms.generateDataKey(CTX), 'KMS_KEY_DISABLED');
    expect(await runFaultCommand(['--url', shared.server.url, 'show'], io)).toBe(0);
    expect(JSON.parse(out[out.length - 1])).toMatchObject({ mode: 'disabled-key', failNext: 0, latencyMs: 5 });
    expect(await runFaultCommand(['--url', shared.server.url, 'clear'], io)).toBe(0);
    expect(shared.server.faults.current()).toMatchObject({ mode: 'none', latencyMs: 0 });
    expect(await runFaultCommand(['--url', shared.server.url, 'set', 'meteor'], io)).toBe(2);
    expect(await runFaultCommand(['--url', shared.server.url, 'dance'], io)).toBe(2);
  });

  it('applies faults given as start flags', async () => {
    const options = parseServerArgs(['--port', '0', '--alias', 'alias/master', '--fault', 'throttle', '--fail-next', '1']);
    if (options === 'help') throw new Error('unexpected help');
    const { kms } = await serverWithAdapter(options);
    await kmsFailure(kms.generateDataKey(CTX), 'KMS_THROTTLED');
    expect((await kms.generateDataKey(CTX)).plaintext).toHaveLength(32);
    await kms.close();
  });
});
