import { TOKENS, b64, startHarness, type Harness } from './support/api-harness';

// HMAC keys over HTTP on the real SQLite store: mac and verify-mac, MAC strings, batch forms,
// keyVersion, tenant isolation and stable 400 codes.
let h: Harness;
let keyId: string;
beforeAll(async () => {
  h = await startHarness();
  keyId = (await h.call('POST', '/v1/keys', TOKENS.acmeKeyAdmin, { tenantId: 'acme', name: 'hooks', purpose: 'mac' })).body.keyId as string;
});
afterAll(() => h.close());

const mac = (body: object, token: string = TOKENS.acmeClient, id = keyId) => h.call('POST', `/v1/keys/${id}/mac`, token, body);
const verifyMac = (body: object, token: string = TOKENS.acmeClient) => h.call('POST', `/v1/keys/${keyId}/verify-mac`, token, body);

describe('HMAC keys over HTTP', () => {
  it('creates an HMAC_SHA256 key by default and answers mac with its kid and MAC string', async () => {
    expect((await h.call('GET', `/v1/keys/${keyId}`, TOKENS.acmeClient)).body).toMatchObject({ purpose: 'mac', algorithm: 'HMAC_SHA256' });
    const made = await mac({ message: b64('payload') });
    expect(made).toMatchObject({ status: 200, body: { keyVersion: 1, kid: `${keyId}.v1`, algorithm: 'HMAC_SHA256' } });
    expect(Buffer.from(made.body.mac, 'base64')).toHaveLength(32);
    expect(made.body.macString).toBe(`kl1mac.${keyId}.v1.${Buffer.from(made.body.mac, 'base64').toString('base64url')}`);
    expect((await verifyMac({ message: b64('payload'), mac: made.body.mac })).body).toEqual({ valid: true, keyVersion: 1 });
    expect((await verifyMac({ message: b64('payload'), macString: made.body.macString })).body).toEqual({ valid: true, keyVersion: 1 });
    expect((await verifyMac({ message: b64('tampered'), mac: made.body.mac })).body).toEqual({ valid: false });
  });

  it('still verifies a v1 MAC after rotation; batch forms answer per item', async () => {
    const v1 = await mac({ message: b64('m') });
    expect((await h.call('POST', `/v1/keys/${keyId}/rotate`, TOKENS.acmeKeyAdmin)).status).toBe(200);
    expect((await mac({ message: b64('m') })).body.keyVersion).toBe(2);
    expect((await verifyMac({ message: b64('m'), mac: v1.body.mac })).body).toEqual({ valid: true, keyVersion: 1 });
    const batch = await mac({ batch: [{ message: b64('a'), reference: 'r1' }, { message: b64('b') }] });
    expect(batch.status).toBe(200);
    const checked = await verifyMac({ batch: [{ message: b64('a'), macString: batch.body.results[0].macString }, { message: b64('x'), macString: batch.body.results[1].macString }] });
    expect(checked.body.results.map((r: { valid: boolean }) => r.valid)).toEqual([true, false]);
    expect(batch.body.results[0]).toMatchObject({ reference: 'r1', keyVersion: 2 });
  });

  it('refuses bad input with stable codes, another tenant, and a version below minEncryptionVersion', async () => {
    expect(await verifyMac({ message: b64('m'), macString: 'kl1mac.garbage' })).toMatchObject({ status: 400, body: { error: { code: 'INVALID_MAC_INPUT' } } });
    expect(await verifyMac({ message: b64('m') })).toMatchObject({ status: 400, body: { error: { code: 'REQUEST_INVALID' } } });
    expect(await mac({ message: b64('m'), keyVersion: 1 })).toMatchObject({ status: 400, body: { error: { code: 'KEY_VERSION_NOT_ALLOWED' } } });
    expect(await mac({ message: b64('m') }, TOKENS.globexClient)).toMatchObject({ status: 404, body: { error: { code: 'KEY_NOT_FOUND' } } });
    const signKey = (await h.call('POST', '/v1/keys', TOKENS.acmeKeyAdmin, { tenantId: 'acme', name: 'signer', purpose: 'sign' })).body.keyId as string;
    expect(await mac({ message: b64('m') }, TOKENS.acmeClient, signKey)).toMatchObject({ status: 400, body: { error: { code: 'VALIDATION_FAILED' } } });
  });
});
