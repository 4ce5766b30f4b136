import { createHash } from 'node:crypto';
import { BG, b64, startBreakGlassHarness, type BreakGlassHarness } from './support/break-glass-harness';

const request = { tenantId: 'acme', justification: 'KMS outage INC-7: the payroll release must be signed', incidentRef: 'INC-7', ttlMinutes: 60 };
const signBody = { message: b64('release 2.0.0'), justification: 'payroll release 2.0.0' };

describe('break-glass over HTTP', () => {
  let h: BreakGlassHarness;
  beforeAll(async () => {
    h = await startBreakGlassHarness();
  });
  afterAll(() => h.close());

  const open = async (token: string = BG.alice): Promise<string> => {
    const r = await h.call('POST', '/v1/break-glass', token, request);
    expect(r).toMatchObject({ status: 201, body: { status: 'Requested', scope: { kind: 'tenant', tenantId: 'acme' }, ttlSeconds: 3600 } });
    return r.body.sessionId;
  };
  const activate = async (): Promise<string> => {
    const id = await open();
    expect((await h.call('POST', `/v1/break-glass/${id}/approve`, BG.sam, {})).body.status).toBe('Requested');
    expect((await h.call('POST', `/v1/break-glass/${id}/approve`, BG.fay, {})).body.status).toBe('Active');
    return id;
  };

  it('answers 409 NO_OUTAGE while the signing provider is available, accepts requests once its breaker opened', async () => {
    expect(await h.call('POST', '/v1/break-glass', BG.alice, request)).toMatchObject({ status: 409, body: { error: { code: 'NO_OUTAGE' } } });
    await h.tripSigningBreaker();
    await open();
  });

  it('checks the request: role, tenant reach, justification and ttl', async () => {
    expect(await h.call('POST', '/v1/break-glass', BG.client, request)).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
    expect((await h.call('POST', '/v1/break-glass', BG.globex, request)).status).toBe(404);
    expect((await h.call('POST', '/v1/break-glass', BG.alice, { ...request, tenantId: undefined, scope: 'global' })).status).toBe(404);
    expect((await h.call('POST', '/v1/break-glass', BG.alice, { ...request, justification: 'too short' })).body.error.code).toBe('REQUEST_INVALID');
    expect((await h.call('POST', '/v1/break-glass', BG.alice, { ...request, ttlMinutes: 1441 })).body.error.code).toBe('REQUEST_INVALID');
    const { justification: _omitted, ...missing } = request;
    expect((await h.call('POST', '/v1/break-glass', BG.alice, missing)).status).toBe(400);
  });

  it('one approval is not enough; refuses the same principal twice, the requester and a wrong role', async () => {
    const id = await open();
    expect((await h.call('POST', `/v1/break-glass/${id}/approve`, BG.sam, {})).body).toMatchObject({ status: 'Requested', signer: null });
    expect(await h.call('POST', `/v1/break-glass/${id}/sign`, BG.alice, signBody)).toMatchObject({ status: 409, body: { error: { code: 'SESSION_NOT_ACTIVE' } } });
    expect(await h.call('POST', `/v1/break-glass/${id}/approve`, BG.sam, {})).toMatchObject({ status: 403, body: { error: { code: 'APPROVAL_NOT_ALLOWED' } } });
    expect(await h.call('POST', `/v1/break-glass/${id}/approve`, BG.client, {})).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
    expect(await h.call('POST', `/v1/break-glass/${id}/approve`, BG.fay, { role: 'approver-security' })).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
    expect((await h.call('POST', `/v1/break-glass/${id}/approve`, BG.both, {})).body.error.code).toBe('REQUEST_INVALID');
    expect((await h.call('GET', `/v1/break-glass/${id}`, BG.admin)).body).toMatchObject({ status: 'Requested', approvals: [{ approver: 'sam' }] });

    const own = (await h.call('POST', '/v1/break-glass', BG.selfApprover, request)).body.sessionId as string;
    expect(await h.call('POST', `/v1/break-glass/${own}/approve`, BG.selfApprover, {})).toMatchObject({ status: 403, body: { error: { code: 'APPROVAL_NOT_ALLOWED' } } });
    expect(await h.call('POST', `/v1/break-glass/${own}/approve`, BG.both, { role: 'approver-finance' })).toMatchObject({ status: 200, body: { status: 'Requested' } });
    expect(await h.call('POST', `/v1/break-glass/${own}/approve`, BG.both, { role: 'approver-security' })).toMatchObject({ status: 403, body: { error: { code: 'APPROVAL_NOT_ALLOWED' } } });
  });

  it('activates on the second role, publishes the signer in the tenant JWKS, signs for the requester only', async () => {
    const id = await activate();
    const kid = `breakglass-${id}`;
    const session = (await h.call('GET', `/v1/break-glass/${id}`, BG.alice)).body;
    expect(session).toMatchObject({ status: 'Active', signer: { kid, algorithm: 'ECDSA_P256_SHA256' }, signatureCount: 0 });
    expect((await h.call('GET', '/v1/tenants/acme/jwks.json', BG.client)).body.keys.map((k: { kid: string }) => k.kid)).toContain(kid);
    expect((await h.call('GET', '/v1/break-glass?state=active', BG.sam)).body.sessions.map((s: { sessionId: string }) => s.sessionId)).toContain(id);
    expect((await h.call('GET', '/v1/break-glass?state=active', BG.globex)).body.sessions).toEqual([]);
    expect((await h.call('GET', `/v1/break-glass/${id}`, BG.globex)).body.error.code).toBe('SESSION_NOT_FOUND');

    expect(await h.call('POST', `/v1/break-glass/${id}/sign`, BG.selfApprover, signBody)).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
    expect(await h.call('POST', `/v1/break-glass/${id}/sign`, BG.sam, signBody)).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
    expect(await h.call('POST', `/v1/break-glass/${id}/sign`, BG.alice, { message: signBody.message })).toMatchObject({ status: 400, body: { error: { code: 'REQUEST_INVALID' } } });
    expect((await h.call('POST', `/v1/break-glass/${id}/sign`, BG.alice, { ...signBody, justification: '   ' })).status).toBe(400);
    const signed = await h.call('POST', `/v1/break-glass/${id}/sign`, BG.alice, signBody);
    expect(signed).toMatchObject({ status: 200, body: { kid, sequence: 1, algorithm: 'ECDSA_P256_SHA256', digest: createHash('sha256').update('release 2.0.0').digest('hex') } });

    const metrics = await (await fetch(`${h.base}/metrics`)).text();
    expect(metrics).toMatch(/^breakglass_sessions_active [1-9]/m);
    expect(metrics).toMatch(/^breakglass_signatures_total 1$/m);
  });

  it('parallel signatures on one session all succeed, each with its own sequence number', async () => {
    const id = await activate();
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) => h.call('POST', `/v1/break-glass/${id}/sign`, BG.alice, { message: b64(`release 2.0.${i}`), justification: 'payroll release batch' })),
    );
    expect(answers.map((a) => a.status)).toEqual(Array.from({ length: 12 }, () => 200));
    expect(answers.map((a) => a.body.sequence as number).sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect((await h.call('GET', `/v1/break-glass/${id}`, BG.alice)).body.signatureCount).toBe(12);
  });

  it('after close: no signing, key destroyed, signer retired and gone from the JWKS', async () => {
    const id = await activate();
    expect((await h.call('POST', `/v1/break-glass/${id}/sign`, BG.alice, signBody)).status).toBe(200);
    const closed = await h.call('POST', `/v1/break-glass/${id}/close`, BG.alice, { reason: 'KMS restored' });
    expect(closed).toMatchObject({ status: 200, body: { status: 'KeyDestroyed', ended: { kind: 'closed', closedBy: 'alice', reason: 'KMS restored' }, signatureCount: 1 } });
    expect(await h.call('POST', `/v1/break-glass/${id}/sign`, BG.alice, signBody)).toMatchObject({ status: 409, body: { error: { code: 'SESSION_NOT_ACTIVE' } } });
    expect(h.runtime.ops.signers.find(`breakglass-${id}`)?.status).toBe('Retired');
    expect(await h.runtime.ops.breakGlass.custody.holds(`breakglass-${id}`)).toBe(false);
    expect((await h.call('GET', '/v1/tenants/acme/jwks.json', BG.client)).body.keys.map((k: { kid: string }) => k.kid)).not.toContain(`breakglass-${id}`);
    expect(await h.call('POST', `/v1/break-glass/${id}/close`, BG.alice, { reason: 'again' })).toMatchObject({ status: 409, body: { error: { code: 'INVALID_STATE_TRANSITION' } } });
  });
});

describe('break-glass across a restart and past expiry', () => {
  it('a restart records the in-memory session key-lost; it cannot sign; expiry ends and records the destruction', async () => {
    const first = await startBreakGlassHarness();
    await first.tripSigningBreaker();
    const id = (await first.call('POST', '/v1/break-glass', BG.alice, { ...request, ttlMinutes: 1 })).body.sessionId as string;
    await first.call('POST', `/v1/break-glass/${id}/approve`, BG.sam, {});
    await first.call('POST', `/v1/break-glass/${id}/approve`, BG.fay, {});
    expect((await first.call('POST', `/v1/break-glass/${id}/sign`, BG.alice, signBody)).status).toBe(200);
    await first.close(false);

    const second = await startBreakGlassHarness({}, first.dataDir);
    try {
      expect((await second.call('GET', `/v1/break-glass/${id}`, BG.alice)).body).toMatchObject({ status: 'KeyLost', keyLost: true, signatureCount: 1 });
      expect(await second.call('POST', `/v1/break-glass/${id}/sign`, BG.alice, signBody)).toMatchObject({ status: 409, body: { error: { code: 'SESSION_NOT_ACTIVE' } } });
      const report = await second.runtime.ops.breakGlass.expireBreakGlassSessions(new Date(Date.now() + 61_000));
      expect(report).toEqual({ expired: [id], keysDestroyed: [id], failed: [] });
      expect((await second.call('GET', `/v1/break-glass/${id}`, BG.admin)).body).toMatchObject({ status: 'KeyDestroyed', ended: { kind: 'expired' } });
    } finally {
      await second.close();
    }
  });
});
