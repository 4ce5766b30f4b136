import { noTelemetry, operationErrorCode, outcomeOf, type KeyOperationsTelemetry } from '../src';
import { actor, startOps } from './support/fixture';

/** A recorder that keeps what the facade reported, in order. */
function recorder(): { telemetry: KeyOperationsTelemetry; operations: string[]; errors: string[] } {
  const operations: string[] = [];
  const errors: string[] = [];
  const telemetry: KeyOperationsTelemetry = {
    ...noTelemetry,
    operation: (operation, outcome) => void operations.push(`${operation}:${outcome}`),
    error: (operation, code, tenantId) => void errors.push(`${operation}:${code}:${tenantId}`),
  };
  return { telemetry, operations, errors };
}

const msg = Buffer.from('pay 10 EUR to acme');
const ctx = { purpose: 'metrics-spec' };

describe('operation metrics on the key operations facade', () => {
  it('counts each crypto operation once by outcome and each failure by code and tenant', async () => {
    const r = recorder();
    const { ops } = await startOps({ telemetry: r.telemetry });
    const { key: signing } = await ops.lifecycle.create(actor, { tenantId: 'acme', name: 's', purpose: 'sign' });
    const { key: sealing } = await ops.lifecycle.create(actor, { tenantId: 'acme', name: 'e', purpose: 'encrypt' });
    const signed = await ops.crypto.sign('acme', signing.keyId, { message: msg });
    await ops.crypto.verify('acme', signing.keyId, { message: msg }, signed.signature);
    const sealed = await ops.crypto.encrypt('acme', sealing.keyId, Buffer.from('x'), ctx);
    await ops.crypto.decrypt('acme', sealing.keyId, sealed.ciphertext, ctx);
    await ops.crypto.rewrap('acme', sealing.keyId, sealed.ciphertext, ctx);
    await ops.crypto.dataKey('acme', sealing.keyId, 256, false, ctx);
    await ops.publicKeys.publicKey('acme', signing.keyId);
    await ops.publicKeys.jwks('acme');
    await expect(ops.crypto.decrypt('acme', sealing.keyId, 'not a ciphertext', ctx)).rejects.toMatchObject({ code: 'INVALID_CIPHERTEXT' });
    await expect(ops.crypto.sign('acme', 'missing', { message: msg })).rejects.toMatchObject({ code: 'KEY_NOT_FOUND' });
    // rewrap and data-key run decrypt and encrypt inside: those inner calls are not counted again.
    expect(r.operations).toEqual([
      'sign:success',
      'verify:success',
      'encrypt:success',
      'decrypt:success',
      'rewrap:success',
      'data_key:success',
      'public_key:success',
      'jwks:success',
      'decrypt:error',
      'sign:error',
    ]);
    expect(r.errors).toEqual(['decrypt:INVALID_CIPHERTEXT:acme', 'sign:KEY_NOT_FOUND:acme']);
  });

  it('reports a signing freeze and an open breaker as refused, a provider outage as error', async () => {
    const r = recorder();
    const { ops, provider } = await startOps({ telemetry: r.telemetry });
    const { key: signing } = await ops.lifecycle.create(actor, { tenantId: 'acme', name: 's', purpose: 'sign' });
    const { key: sealing } = await ops.lifecycle.create(actor, { tenantId: 'acme', name: 'e', purpose: 'encrypt' });
    await ops.freeze.freeze(actor, 'drill');
    await expect(ops.crypto.sign('acme', signing.keyId, { message: msg })).rejects.toMatchObject({ code: 'SIGNING_FROZEN' });
    await ops.freeze.resume(actor);
    ops.cache.clear();
    provider.fault = 'KMS_UNAVAILABLE';
    await expect(ops.crypto.encrypt('acme', sealing.keyId, Buffer.from('x'), ctx)).rejects.toMatchObject({ code: 'KMS_UNAVAILABLE' });
    await expect(ops.crypto.encrypt('acme', sealing.keyId, Buffer.from('x'), ctx)).rejects.toMatchObject({ code: 'KMS_UNAVAILABLE' });
    await expect(ops.crypto.encrypt('acme', sealing.keyId, Buffer.from('x'), ctx)).rejects.toMatchObject({ code: 'CIRCUIT_OPEN' });
    expect(r.operations).toEqual(['sign:refused', 'encrypt:error', 'encrypt:error', 'encrypt:refused']);
    expect(r.errors).toEqual(['sign:SIGNING_FROZEN:acme', 'encrypt:KMS_UNAVAILABLE:acme', 'encrypt:KMS_UNAVAILABLE:acme', 'encrypt:CIRCUIT_OPEN:acme']);
  });

  it('counts a validation report that failed as an error with its first failed step, without a tenant', async () => {
    const r = recorder();
    const { ops, provider } = await startOps({ telemetry: r.telemetry });
    expect((await ops.admin.validate()).status).toBe('PASS');
    provider.fault = 'KMS_ACCESS_DENIED';
    expect((await ops.admin.validate()).status).toBe('FAIL');
    expect(r.operations).toEqual(['validate:success', 'validate:error']);
    expect(r.errors).toEqual(['validate:KMS_ACCESS_DENIED:']);
  });

  it('counts key retrieval tests and break-glass calls; other facade methods reach the operations unchanged', async () => {
    const r = recorder();
    const { ops } = await startOps({ telemetry: r.telemetry });
    await ops.lifecycle.create(actor, { tenantId: 'acme', name: 's', purpose: 'sign' });
    await ops.admin.testKeyRetrieval('acme');
    await expect(ops.admin.testKeyRetrieval('nobody')).rejects.toMatchObject({ code: 'KEY_NOT_FOUND' });
    const request = { requester: 'user:r', scope: { kind: 'global' } as const, justification: 'drill', incidentRef: 'INC-1', ttlSeconds: 600 };
    await expect(ops.breakGlass.request(actor, request)).rejects.toMatchObject({ code: 'NO_OUTAGE' });
    expect(ops.breakGlass.activeCount()).toBe(0);
    expect(await ops.admin.status()).toMatchObject({ keys: { total: 1 } });
    expect(r.operations).toEqual(['test_key_retrieval:success', 'test_key_retrieval:error', 'breakglass_request:error']);
    expect(r.errors).toEqual(['test_key_retrieval:KEY_NOT_FOUND:nobody', 'breakglass_request:NO_OUTAGE:']);
  });

  it('bounds error codes to the catalogued shape and tells refusals from errors', () => {
    expect(operationErrorCode(Object.assign(new Error('x'), { code: 'KEY_DISABLED' }))).toBe('KEY_DISABLED');
    expect(operationErrorCode(Object.assign(new Error('x'), { code: 'user supplied <script>' }))).toBe('UNEXPECTED');
    expect(operationErrorCode(new TypeError('boom'))).toBe('UNEXPECTED');
    expect(operationErrorCode(null)).toBe('UNEXPECTED');
    expect(outcomeOf('CIRCUIT_OPEN')).toBe('refused');
    expect(outcomeOf('SIGNING_FROZEN')).toBe('refused');
    expect(outcomeOf('KMS_UNAVAILABLE')).toBe('error');
  });
});
