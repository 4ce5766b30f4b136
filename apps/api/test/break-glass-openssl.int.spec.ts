import { execFileSync } from 'node:child_process';
import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeWith, openssl } from '@keyledger/testing';
import { BG, b64, startBreakGlassHarness, type BreakGlassHarness } from './support/break-glass-harness';

describeWith([openssl], 'break-glass signatures verify with openssl', () => {
  let h: BreakGlassHarness;
  beforeAll(async () => {
    h = await startBreakGlassHarness();
    await h.tripSigningBreaker();
  });
  afterAll(() => h.close());

  it('a signature made during the session verifies against the published public key after the session closed', async () => {
    const request = { tenantId: 'acme', justification: 'KMS outage INC-9: hotfix 3.1.4 must be signed', incidentRef: 'INC-9' };
    const id = (await h.call('POST', '/v1/break-glass', BG.alice, request)).body.sessionId as string;
    await h.call('POST', `/v1/break-glass/${id}/approve`, BG.sam, {});
    await h.call('POST', `/v1/break-glass/${id}/approve`, BG.fay, {});
    const message = Buffer.from('hotfix 3.1.4 artefact');
    const signed = await h.call('POST', `/v1/break-glass/${id}/sign`, BG.alice, { message: b64(message), justification: 'hotfix 3.1.4' });
    expect(signed.status).toBe(200);
    const jwk = (await h.call('GET', '/v1/tenants/acme/jwks.json', BG.client)).body.keys.find((k: { kid: string }) => k.kid === signed.body.kid) as JsonWebKey;
    const fromJwks = createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();

    expect((await h.call('POST', `/v1/break-glass/${id}/close`, BG.alice, { reason: 'KMS restored' })).body.status).toBe('KeyDestroyed');
    const published = (await h.call('GET', `/v1/break-glass/${id}`, BG.admin)).body.signer.publicKey as string;
    expect(published).toBe(fromJwks);

    const pem = join(h.dataDir, 'breakglass.pem');
    const sig = join(h.dataDir, 'breakglass.sig');
    const data = join(h.dataDir, 'artefact.bin');
    writeFileSync(pem, published);
    writeFileSync(sig, Buffer.from(signed.body.signature, 'base64'));
    writeFileSync(data, message);
    expect(execFileSync('openssl', ['dgst', '-sha256', '-verify', pem, '-signature', sig, data], { encoding: 'utf8' })).toContain('Verified OK');
    writeFileSync(data, Buffer.from('hotfix 3.1.5 artefact'));
    expect(() => execFileSync('openssl', ['dgst', '-sha256', '-verify', pem, '-signature', sig, data], { stdio: 'pipe' })).toThrow();
  });
});
