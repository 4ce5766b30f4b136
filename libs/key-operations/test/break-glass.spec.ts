import { createHash, createPublicKey, verify } from 'node:crypto';
import { breakGlassStream, type RecordedEvent } from '@keyledger/kms-domain';
import { MemoryEmergencyKeys, emergencyKid, type BreakGlassRequestInput } from '../src';
import { startBreakGlassOps, tripSigningBreaker, type BreakGlassFixture } from './support/break-glass-fixture';

const requester = { subject: 'alice', correlationId: 'req-a' };
const security = { subject: 'sam', correlationId: 'req-s' };
const finance = { subject: 'fay', correlationId: 'req-f' };
const request: BreakGlassRequestInput = {
  requester: 'alice',
  scope: { kind: 'tenant', tenantId: 'acme' },
  justification: 'KMS outage INC-42: payroll release must ship today',
  incidentRef: 'INC-42',
  ttlSeconds: 3600,
};
const signInput = (patch: Record<string, unknown> = {}) => ({ message: Buffer.from('release 1.2.3'), signer: 'alice', justification: 'ship payroll 1.2.3', ...patch });

async function activeSession(f: BreakGlassFixture): Promise<string> {
  const { sessionId } = await f.ops.breakGlass.request(requester, request);
  await f.ops.breakGlass.approve(security, sessionId, 'sam', 'approver-security');
  const active = await f.ops.breakGlass.approve(finance, sessionId, 'fay', 'approver-finance');
  expect(active.status).toBe('Active');
  return sessionId;
}

const typesOf = (events: readonly RecordedEvent[], sessionId: string) => events.filter((e) => e.streamName === breakGlassStream(sessionId)).map((e) => e.type);

describe('break-glass: the outage precondition', () => {
  it('refuses a request while no signing breaker is open, and before the outage lasted the minimum', async () => {
    const f = await startBreakGlassOps({ minOutageMinutes: 30 });
    await expect(f.ops.breakGlass.request(requester, request)).rejects.toMatchObject({ code: 'NO_OUTAGE' });
    await tripSigningBreaker(f);
    await expect(f.ops.breakGlass.request(requester, request)).rejects.toMatchObject({ code: 'NO_OUTAGE', message: expect.stringContaining('30 min') });
    f.clock.advance(30 * 60_000);
    // The live instance renewed its lease meanwhile (its timer does it every third of the lease).
    await renewed(f);
    expect((await f.ops.breakGlass.request(requester, request)).status).toBe('Requested');
    await f.ops.stop();
  });
});

/** Runs the lease renewal now and waits until the confirmation is folded. */
async function renewed(f: Pick<BreakGlassFixture, 'ops' | 'store'>): Promise<void> {
  f.ops.breakerRecorder.renew();
  await f.ops.breakerRecorder.flush();
  await f.ops.views.waitFor(await f.store.headPosition());
}

const breakerTypes = (f: Pick<BreakGlassFixture, 'store'>) => f.store.log.filter((e) => e.streamName === 'breaker-kms-signing-key').map((e) => e.type);

describe('break-glass: an outage counts only while it is real', () => {
  it('renews its lease while open; past the lease without a confirmation there is no outage', async () => {
    const f = await startBreakGlassOps();
    await tripSigningBreaker(f);
    f.clock.advance(50_000);
    await renewed(f);
    f.clock.advance(50_000);
    expect(f.ops.breakGlass.outageMinutes()).not.toBeNull();
    expect(breakerTypes(f)).toEqual(['BreakerOpened', 'BreakerOutageConfirmed']);
    f.clock.advance(11_000); // 61 s after the last confirmation: the default lease is 60 s
    expect(f.ops.breakGlass.outageMinutes()).toBeNull();
    await expect(f.ops.breakGlass.request(requester, request)).rejects.toMatchObject({ code: 'NO_OUTAGE' });
    await f.ops.stop();
  });

  it('a stopped instance ends its outage; a restart of the same instance ends one it could not record', async () => {
    const f = await startBreakGlassOps();
    await tripSigningBreaker(f);
    await f.ops.stop();
    expect(breakerTypes(f)).toEqual(['BreakerOpened', 'BreakerOutageEnded']);
    expect(f.store.log[f.store.log.length - 1]?.data).toMatchObject({ reason: 'instance-stopped', from: 'open' });
    const again = await startBreakGlassOps({ store: f.store, clock: f.clock });
    expect(again.ops.breakGlass.outageMinutes()).toBeNull();
    await expect(again.ops.breakGlass.request(requester, request)).rejects.toMatchObject({ code: 'NO_OUTAGE' });

    // A crash: the process died while open (nothing recorded its end); the same instance starts again.
    await tripSigningBreaker(again);
    again.store.failTypes.add('BreakerOutageEnded');
    await again.ops.stop();
    again.store.failTypes.clear();
    const restarted = await startBreakGlassOps({ store: f.store, clock: f.clock });
    expect(restarted.ops.breakGlass.outageMinutes()).toBeNull();
    const ended = f.store.log.filter((e) => e.type === 'BreakerOutageEnded');
    expect(ended[ended.length - 1]?.data).toMatchObject({ reason: 'instance-restarted', recordedBy: 'keyledger' });
    await restarted.ops.stop();
  });

  it('approval re-checks the outage: a request made during an outage cannot be approved after it ended', async () => {
    const f = await startBreakGlassOps();
    await tripSigningBreaker(f);
    const { sessionId } = await f.ops.breakGlass.request(requester, request);
    await f.ops.breakGlass.approve(security, sessionId, 'sam', 'approver-security');
    f.clock.advance(61_000);
    await expect(f.ops.breakGlass.approve(finance, sessionId, 'fay', 'approver-finance')).rejects.toMatchObject({ code: 'NO_OUTAGE' });
    expect(f.ops.breakGlass.get(sessionId).status).toBe('Requested');
    await f.ops.stop();
  });

  it('a request nobody approved within the request ttl expires and can no longer be approved', async () => {
    const f = await startBreakGlassOps();
    await tripSigningBreaker(f);
    const { sessionId } = await f.ops.breakGlass.request(requester, request);
    f.clock.advance(60 * 60_000);
    await renewed(f);
    await expect(f.ops.breakGlass.approve(security, sessionId, 'sam', 'approver-security')).rejects.toMatchObject({
      code: 'INVALID_STATE_TRANSITION',
      message: expect.stringContaining('request expired'),
    });
    expect(await f.ops.breakGlass.expireBreakGlassSessions(f.clock.now())).toEqual({ expired: [sessionId], keysDestroyed: [], failed: [] });
    expect(f.ops.breakGlass.get(sessionId)).toMatchObject({ status: 'Ended', ended: { kind: 'expired' } });
    await f.ops.stop();
  });
});

describe('break-glass: approvals', () => {
  let f: BreakGlassFixture;
  beforeEach(async () => {
    f = await startBreakGlassOps();
    await tripSigningBreaker(f);
  });
  afterEach(() => f.ops.stop());

  it('one approval is not enough: the session stays requested and cannot sign', async () => {
    const { sessionId } = await f.ops.breakGlass.request(requester, request);
    const once = await f.ops.breakGlass.approve(security, sessionId, 'sam', 'approver-security');
    expect(once).toMatchObject({ status: 'Requested', signer: null, approvals: [{ approver: 'sam', role: 'approver-security' }] });
    await expect(f.ops.breakGlass.sign(requester, sessionId, signInput())).rejects.toMatchObject({ code: 'SESSION_NOT_ACTIVE' });
    expect(await f.custody.holds(emergencyKid(sessionId))).toBe(false);
  });

  it('refuses the same principal twice, the requester, and a second approval of the same role', async () => {
    const { sessionId } = await f.ops.breakGlass.request(requester, request);
    await expect(f.ops.breakGlass.approve(requester, sessionId, 'alice', 'approver-security')).rejects.toMatchObject({ code: 'APPROVAL_NOT_ALLOWED' });
    await f.ops.breakGlass.approve(security, sessionId, 'sam', 'approver-security');
    await expect(f.ops.breakGlass.approve(security, sessionId, 'sam', 'approver-finance')).rejects.toMatchObject({ code: 'APPROVAL_NOT_ALLOWED' });
    await expect(f.ops.breakGlass.approve(finance, sessionId, 'sid', 'approver-security')).rejects.toMatchObject({ code: 'APPROVAL_NOT_ALLOWED' });
    expect(f.ops.breakGlass.get(sessionId).status).toBe('Requested');
    expect(await f.custody.holds(emergencyKid(sessionId))).toBe(false);
  });

  it('activates on the second role: emergency key in custody, signer registered with the window, in the tenant JWKS only', async () => {
    const sessionId = await activeSession(f);
    const session = f.ops.breakGlass.get(sessionId);
    const kid = `breakglass-${sessionId}`;
    expect(session.signer).toMatchObject({ kid, algorithm: 'ECDSA_P256_SHA256', expiresAt: '2025-06-01T01:00:00.000Z' });
    expect(await f.custody.holds(kid)).toBe(true);
    expect(f.ops.signers.find(kid)).toMatchObject({ status: 'Active', owner: { kind: 'break-glass', sessionId }, validFrom: session.signer?.activatedAt, validUntil: session.signer?.expiresAt });
    expect((await f.ops.publicKeys.jwks('acme')).keys.map((k) => k.kid)).toContain(kid);
    expect((await f.ops.publicKeys.jwks('globex')).keys.map((k) => k.kid)).not.toContain(kid);
    expect(f.telemetry.active).toBe(1);
  });
});

describe('break-glass: signing', () => {
  let f: BreakGlassFixture;
  let sessionId: string;
  beforeEach(async () => {
    f = await startBreakGlassOps();
    await tripSigningBreaker(f);
    sessionId = await activeSession(f);
  });
  afterEach(() => f.ops.stop());

  it('records every signature before returning it; it verifies against the registered public key', async () => {
    const signed = await f.ops.breakGlass.sign(requester, sessionId, signInput());
    const digest = createHash('sha256').update('release 1.2.3').digest('hex');
    expect(signed).toMatchObject({ kid: `breakglass-${sessionId}`, digest, sequence: 1 });
    const recorded = f.store.log.find((e) => e.type === 'BreakGlassSignatureIssued');
    expect(recorded?.data).toMatchObject({ actor: 'service:signing-breakglass', requester: 'alice', tenantId: 'acme', digest, justification: 'ship payroll 1.2.3', kid: signed.kid });
    const publicKey = createPublicKey(f.ops.signers.find(signed.kid)?.publicKey ?? '');
    expect(verify('sha256', Buffer.from('release 1.2.3'), publicKey, signed.signature)).toBe(true);
    const byDigest = await f.ops.breakGlass.sign(requester, sessionId, signInput({ message: undefined, digest: Buffer.from(digest, 'hex') }));
    expect(byDigest.sequence).toBe(2);
    expect(verify('sha256', Buffer.from('release 1.2.3'), publicKey, byDigest.signature)).toBe(true);
    expect(f.telemetry.signatures).toBe(2);
  });

  it('refuses anyone but the requester, a missing justification and another tenant', async () => {
    await expect(f.ops.breakGlass.sign(security, sessionId, signInput({ signer: 'sam' }))).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(f.ops.breakGlass.sign(requester, sessionId, signInput({ justification: '' }))).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(f.ops.breakGlass.sign(requester, sessionId, signInput({ tenantId: 'globex' }))).rejects.toMatchObject({ code: 'SESSION_NOT_ACTIVE' });
    expect(typesOf(f.store.log, sessionId)).not.toContain('BreakGlassSignatureIssued');
  });

  it('returns no signature when the record cannot be appended', async () => {
    f.store.failTypes.add('BreakGlassSignatureIssued');
    await expect(f.ops.breakGlass.sign(requester, sessionId, signInput())).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    expect(typesOf(f.store.log, sessionId)).not.toContain('BreakGlassSignatureIssued');
    expect(f.telemetry.signatures).toBe(0);
    f.store.failTypes.clear();
    expect((await f.ops.breakGlass.sign(requester, sessionId, signInput())).sequence).toBe(1);
  });

  it('close destroys the key and records it; the signer is retired, old signatures still verify; no signing after', async () => {
    const signed = await f.ops.breakGlass.sign(requester, sessionId, signInput());
    const closed = await f.ops.breakGlass.close(requester, sessionId, 'alice', 'KMS is back');
    expect(closed).toMatchObject({ status: 'KeyDestroyed', ended: { kind: 'closed', closedBy: 'alice', reason: 'KMS is back' } });
    expect(await f.custody.holds(signed.kid)).toBe(false);
    expect(typesOf(f.store.log, sessionId).slice(-2)).toEqual(['BreakGlassClosed', 'BreakGlassEmergencyKeyDestroyed']);
    const entry = f.ops.signers.find(signed.kid);
    expect(entry?.status).toBe('Retired');
    expect(verify('sha256', Buffer.from('release 1.2.3'), createPublicKey(entry?.publicKey ?? ''), signed.signature)).toBe(true);
    await expect(f.ops.breakGlass.sign(requester, sessionId, signInput())).rejects.toMatchObject({ code: 'SESSION_NOT_ACTIVE' });
    expect(f.telemetry.active).toBe(0);
  });

  it('refuses signing after expiry; the expiry job ends the session, destroys the key and retires the signer', async () => {
    f.clock.advance(3600_000);
    await expect(f.ops.breakGlass.sign(requester, sessionId, signInput())).rejects.toMatchObject({ code: 'SESSION_NOT_ACTIVE' });
    const report = await f.ops.breakGlass.expireBreakGlassSessions(f.clock.now());
    expect(report).toEqual({ expired: [sessionId], keysDestroyed: [sessionId], failed: [] });
    expect(f.ops.breakGlass.get(sessionId)).toMatchObject({ status: 'KeyDestroyed', ended: { kind: 'expired' } });
    expect(await f.custody.holds(`breakglass-${sessionId}`)).toBe(false);
    expect(f.ops.signers.find(`breakglass-${sessionId}`)?.status).toBe('Retired');
    expect(await f.ops.breakGlass.expireBreakGlassSessions(f.clock.now())).toEqual({ expired: [], keysDestroyed: [], failed: [] });
  });

  it('a restart loses an in-memory key: the session is recorded key-lost and cannot sign', async () => {
    await f.ops.stop();
    const restarted = await startBreakGlassOps({ store: f.store, clock: f.clock, custody: new MemoryEmergencyKeys() });
    expect(await restarted.ops.breakGlass.recordLostKeys()).toEqual([sessionId]);
    expect(restarted.ops.breakGlass.get(sessionId)).toMatchObject({ status: 'KeyLost', keyLost: true });
    await expect(restarted.ops.breakGlass.sign(requester, sessionId, signInput())).rejects.toMatchObject({ code: 'SESSION_NOT_ACTIVE' });
    const closed = await restarted.ops.breakGlass.close(requester, sessionId, 'alice', 'key lost in restart');
    expect(closed).toMatchObject({ status: 'KeyDestroyed', keyLost: true });
    await restarted.ops.stop();
  });
});
