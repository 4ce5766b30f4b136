import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { describeWith, moto, startMotoServer, type MotoServer } from '@keyledger/testing';
import { TOKENS, b64, startHarness, type Harness } from './support/api-harness';

/**
 * Provider-made signatures are checked before they are returned. moto 5 (an independent AWS KMS
 * implementation) ignores `MessageType=DIGEST` and hashes the digest again, so every signature a
 * provider-resident key makes on it fails verification with the key's own public key: exactly the
 * broken peer this guards against. If a moto release fixes that, the first test fails with a 200
 * and this comment (and the moto table of issue #27) must be updated.
 */
describeWith([moto], 'provider-made signatures on a peer that signs the wrong digest (moto)', () => {
  let server: MotoServer;
  let h: Harness;

  beforeAll(async () => {
    server = await startMotoServer();
    process.env['AWS_ACCESS_KEY_ID'] = 'test';
    process.env['AWS_SECRET_ACCESS_KEY'] = 'test';
    const kms = new KMSClient({ region: 'us-east-1', endpoint: server.url, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    const master = await kms.send(new CreateKeyCommand({ Description: 'keyledger master (test)' }));
    kms.destroy();
    h = await startHarness({
      KMS_PROVIDER: 'aws',
      AWS_REGION: 'us-east-1',
      AWS_KMS_ENDPOINT: server.url,
      AWS_KMS_MASTER_KEY_ID: master.KeyMetadata?.KeyId ?? '',
      CB_KMS_SIGNING_KEY_REQUEST_VOLUME_THRESHOLD: '4',
      CB_KMS_SIGNING_KEY_DELAY_MS: '600000',
    });
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    await server?.stop();
  });

  it('answers 502 KMS_SIGNATURE_INVALID without the signature, counts against the breaker, and wrapped keys keep signing', async () => {
    const resident = await h.call('POST', '/v1/keys', TOKENS.acmeKeyAdmin, { tenantId: 'acme', name: 'hsm', purpose: 'sign', mode: 'provider-resident' });
    expect(resident.status).toBe(201);
    const keyId = resident.body.keyId as string;
    const wrapped = await h.call('POST', '/v1/keys', TOKENS.acmeKeyAdmin, { tenantId: 'acme', name: 'soft', purpose: 'sign' });
    expect(wrapped.body).toMatchObject({ mode: 'wrapped' });
    expect((await h.call('POST', `/v1/keys/${wrapped.body.keyId}/sign`, TOKENS.acmeClient, { message: b64('warm') })).status).toBe(200);

    const first = await h.call('POST', `/v1/keys/${keyId}/sign`, TOKENS.acmeClient, { message: b64('pay 10') });
    expect(first).toMatchObject({ status: 502, body: { error: { code: 'KMS_SIGNATURE_INVALID' } } });
    expect(first.body.signature).toBeUndefined();
    expect(JSON.stringify(first.body)).not.toMatch(/MEUCI|MEQCI/); // no DER signature in any field

    // Each bad signature is a failure of kms-signing-key (like an unreachable provider): the
    // breaker opens and later calls no longer reach the provider.
    const codes: string[] = [];
    for (let i = 0; i < 12 && codes[codes.length - 1] !== 'CIRCUIT_OPEN'; i++) {
      codes.push((await h.call('POST', `/v1/keys/${keyId}/sign`, TOKENS.acmeClient, { message: b64(`pay ${i}`) })).body.error.code as string);
    }
    expect(codes[codes.length - 1]).toBe('CIRCUIT_OPEN');
    expect(new Set(codes.slice(0, -1))).toEqual(new Set(['KMS_SIGNATURE_INVALID']));
    const status = await h.call('GET', '/api/admin/kms/status', TOKENS.admin);
    expect(JSON.stringify(status.body)).toMatch(/kms-signing-key/);

    // Wrapped keys (unwrapped before the outage, cached) sign in the process, not through the open breaker.
    const signed = await h.call('POST', `/v1/keys/${wrapped.body.keyId}/sign`, TOKENS.acmeClient, { message: b64('pay 13') });
    expect(signed.status).toBe(200);
    expect((await h.call('POST', `/v1/keys/${wrapped.body.keyId}/verify`, TOKENS.acmeClient, { message: b64('pay 13'), signature: signed.body.signature })).body.valid).toBe(true);
  }, 60_000);
});
