import { TOKENS, b64, startHarness, type Harness } from './support/api-harness';

// Version policy over HTTP on the real SQLite store: minEncryptionVersion in PATCH, keyVersion on
// encrypt/sign/data-key, trim with KEY_VERSION_DESTROYED afterwards, tenant isolation.
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const create = async (purpose: 'sign' | 'encrypt', name: string): Promise<string> => (await h.call('POST', '/v1/keys', TOKENS.acmeKeyAdmin, { tenantId: 'acme', name, purpose })).body.keyId as string;
const rotate = (keyId: string) => h.call('POST', `/v1/keys/${keyId}/rotate`, TOKENS.acmeKeyAdmin);
const patch = (keyId: string, body: object) => h.call('PATCH', `/v1/keys/${keyId}`, TOKENS.acmeKeyAdmin, body);
const trim = (keyId: string, body: object, token: string = TOKENS.acmeKeyAdmin) => h.call('POST', `/v1/keys/${keyId}/trim`, token, body);

describe('version policy', () => {
  it('pins encrypt and data-key to a version once minEncryptionVersion allows it', async () => {
    const keyId = await create('encrypt', 'pinned');
    await rotate(keyId);
    const refused = await h.call('POST', `/v1/keys/${keyId}/encrypt`, TOKENS.acmeClient, { plaintext: b64('x'), keyVersion: 1 });
    expect(refused).toMatchObject({ status: 400, body: { error: { code: 'KEY_VERSION_NOT_ALLOWED' } } });
    expect(refused.body.error.message).not.toContain(b64('x'));
    const patched = await patch(keyId, { minEncryptionVersion: 1 });
    expect(patched).toMatchObject({ status: 200, body: { minEncryptionVersion: 1, minAvailableVersion: 1, retainVersions: 0 } });
    const sealed = await h.call('POST', `/v1/keys/${keyId}/encrypt`, TOKENS.acmeClient, { plaintext: b64('x'), keyVersion: 1 });
    expect(sealed).toMatchObject({ status: 200, body: { keyVersion: 1 } });
    expect((await h.call('POST', `/v1/keys/${keyId}/data-key`, TOKENS.acmeClient, { keyVersion: 1, includePlaintext: false })).body.keyVersion).toBe(1);
    expect((await h.call('POST', `/v1/keys/${keyId}/data-key`, TOKENS.acmeClient, { keyVersion: 3 })).body.error.code).toBe('KEY_VERSION_NOT_ALLOWED');
    expect((await patch(keyId, { minEncryptionVersion: -1 })).status).toBe(400);
  });

  it('trims older versions: decrypt and verify with them answer KEY_VERSION_DESTROYED', async () => {
    const enc = await create('encrypt', 'trimmed');
    const old = await h.call('POST', `/v1/keys/${enc}/encrypt`, TOKENS.acmeClient, { plaintext: b64('secret') });
    await rotate(enc);
    expect(await trim(enc, { minAvailableVersion: 2 })).toMatchObject({ status: 400, body: { error: { code: 'VALIDATION_FAILED' } } });
    await patch(enc, { minDecryptionVersion: 2 });
    expect(await trim(enc, { minAvailableVersion: 2 }, TOKENS.acmeClient)).toMatchObject({ status: 403 });
    expect(await trim(enc, { minAvailableVersion: 2 }, TOKENS.globexClient)).toMatchObject({ status: 404, body: { error: { code: 'KEY_NOT_FOUND' } } });
    const done = await trim(enc, { minAvailableVersion: 2 });
    expect(done).toMatchObject({ status: 200, body: { minAvailableVersion: 2, versions: [{ version: 1, destroyed: true }, { version: 2, destroyed: false }] } });
    const gone = await h.call('POST', `/v1/keys/${enc}/decrypt`, TOKENS.acmeClient, { ciphertext: old.body.ciphertext });
    expect(gone).toMatchObject({ status: 400, body: { error: { code: 'KEY_VERSION_DESTROYED' } } });

    const sig = await create('sign', 'trimmed-sig');
    const v1 = await h.call('POST', `/v1/keys/${sig}/sign`, TOKENS.acmeClient, { message: b64('m') });
    await rotate(sig);
    await patch(sig, { minDecryptionVersion: 2 });
    expect((await trim(sig, { minAvailableVersion: 2 })).status).toBe(200);
    const verify = await h.call('POST', `/v1/keys/${sig}/verify`, TOKENS.acmeClient, { message: b64('m'), signatureString: v1.body.signatureString });
    expect(verify).toMatchObject({ status: 400, body: { error: { code: 'KEY_VERSION_DESTROYED' } } });
    expect((await h.call('POST', `/v1/keys/${sig}/sign`, TOKENS.acmeClient, { message: b64('m'), keyVersion: 1 })).body.error.code).toBe('KEY_VERSION_DESTROYED');
  });

  it('refuses a malformed trim body with REQUEST_INVALID', async () => {
    const keyId = await create('encrypt', 'bad-trim');
    expect(await trim(keyId, { minAvailableVersion: 'two' })).toMatchObject({ status: 400, body: { error: { code: 'REQUEST_INVALID' } } });
    expect(await trim(keyId, {})).toMatchObject({ status: 400, body: { error: { code: 'REQUEST_INVALID' } } });
  });
});
