import { createPublicKey, verify } from 'node:crypto';
import { rmSync } from 'node:fs';
import { Pkcs11KmsProvider } from '@keyledger/adapters';
import { describeWith, softhsm2, SOFTHSM2_MODULE } from '@keyledger/testing';
import { initialiseSoftHsmToken } from './support/providers';
import { BG, b64, startBreakGlassHarness } from './support/break-glass-harness';

const TOKEN = { label: 'keyledger-bg', pin: '2468' };

describeWith([softhsm2], 'break-glass with KMS_PROVIDER=pkcs11 (SoftHSM2)', () => {
  let token: { dir: string };
  const env = {
    KMS_PROVIDER: 'pkcs11',
    PKCS11_MODULE: SOFTHSM2_MODULE,
    PKCS11_TOKEN_LABEL: TOKEN.label,
    PKCS11_PIN: TOKEN.pin,
    PKCS11_CREATE_MASTER_KEY: 'true',
  };
  beforeAll(() => {
    token = initialiseSoftHsmToken(TOKEN.label, TOKEN.pin);
  });
  afterAll(() => rmSync(token.dir, { recursive: true, force: true }));

  it('keeps the emergency key in the HSM: it survives a restart, and close deletes the HSM object', async () => {
    const first = await startBreakGlassHarness(env);
    expect(first.runtime.ops.breakGlass.custody.location).toBe('hsm');
    await first.tripSigningBreaker();
    const request = { tenantId: 'acme', justification: 'HSM-backed emergency signing drill INC-11', incidentRef: 'INC-11' };
    const id = (await first.call('POST', '/v1/break-glass', BG.alice, request)).body.sessionId as string;
    await first.call('POST', `/v1/break-glass/${id}/approve`, BG.sam, {});
    const active = (await first.call('POST', `/v1/break-glass/${id}/approve`, BG.fay, {})).body;
    expect(active.status).toBe('Active');
    await first.close(false);

    const second = await startBreakGlassHarness(env, first.dataDir);
    try {
      expect((await second.call('GET', `/v1/break-glass/${id}`, BG.alice)).body.status).toBe('Active');
      const signed = await second.call('POST', `/v1/break-glass/${id}/sign`, BG.alice, { message: b64('drill'), justification: 'drill' });
      expect(signed.status).toBe(200);
      const held = await Pkcs11KmsProvider.create({ module: SOFTHSM2_MODULE, tokenLabel: TOKEN.label, pin: TOKEN.pin });
      expect(await held.findKeyByLabel(`keyledger-breakglass-${id}`)).toMatch(/^[0-9a-f]{32}$/);
      await held.close();
      expect(verify('sha256', Buffer.from('drill'), createPublicKey(active.signer.publicKey), Buffer.from(signed.body.signature, 'base64'))).toBe(true);
      expect((await second.call('POST', `/v1/break-glass/${id}/close`, BG.alice, { reason: 'drill over' })).body.status).toBe('KeyDestroyed');
      const hsm = await Pkcs11KmsProvider.create({ module: SOFTHSM2_MODULE, tokenLabel: TOKEN.label, pin: TOKEN.pin });
      expect(await hsm.findKeyByLabel(`keyledger-breakglass-${id}`)).toBeNull();
      await hsm.close();
    } finally {
      await second.close();
    }
  });
});
