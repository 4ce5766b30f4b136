import { generateKeyPairSync } from 'node:crypto';
import { InMemoryEventStore } from '@keyledger/adapters';
import { EventStore, breakGlassDecider, breakGlassStream, keyMaterialVersionStream, keyStream, GLOBAL_SCOPE } from '@keyledger/kms-domain';
import {
  AUDIT_CHECKPOINT_STREAM,
  AuditLog,
  Finding,
  VerifyReport,
  nodeCryptoSigner,
  noteVerifierKey,
  signAuditCheckpoint,
  signCheckpoint,
  storeAuditSource,
  verifyAuditRecords,
} from '../src';
import { Scenario, appendRaw, breakGlassSession, buildScenario, run } from './scenario';

let store: EventStore;
let s: Scenario;

beforeEach(async () => {
  store = new InMemoryEventStore();
  s = await buildScenario(store);
});

async function verify(): Promise<VerifyReport> {
  return verifyAuditRecords(storeAuditSource(store, 'memory').records(), { auditKey: noteVerifierKey(s.auditKey.publicKey) });
}

const only = (report: VerifyReport, rule: Finding['rule']) => report.findings.filter((f) => f.rule === rule);

describe('audit replay rules (through the event store port)', () => {
  it('passes the clean scenario', async () => {
    const report = await verify();
    expect(report.findings).toEqual([]);
    expect(report.checkpoints.map((c) => c.treeSize)).toEqual([7, s.log.size]);
  });

  it('finds a checkpoint with a forged root, though signed by the audit key, at its position', async () => {
    await s.log.catchUp();
    const forgedRoot = Buffer.alloc(32, 1);
    const note = await signCheckpoint({ origin: 'keyledger.test/audit', treeSize: s.log.size, rootHash: forgedRoot }, s.signer);
    const position = await appendRaw(store, s.ctx, AUDIT_CHECKPOINT_STREAM, 'AuditCheckpointSigned', {
      origin: 'keyledger.test/audit', treeSize: s.log.size, rootHash: forgedRoot.toString('base64'), lastPosition: s.log.lastPosition, keyName: s.signer.keyName, keyId: '00000000', note, signedAt: s.ctx.now.toISOString(),
    });
    const report = await verify();
    expect(report.findings).toEqual([expect.objectContaining({ rule: 'checkpoint-root', position, stream: AUDIT_CHECKPOINT_STREAM })]);
  });

  it('finds a checkpoint signed by another key at its position', async () => {
    await appendRaw(store, s.ctx, 'breaker-kms-public-key', 'BreakerOpened', { name: 'kms-public-key', instance: 'api-2', from: 'closed', failures: 5, calls: 10, failureRatio: 0.5, openedAt: s.ctx.now.toISOString() });
    const intruder = nodeCryptoSigner('keyledger.test/audit', generateKeyPairSync('ed25519').privateKey);
    const result = await signAuditCheckpoint(s.log, store, { origin: 'keyledger.test/audit', signer: intruder, context: s.ctx.context('service:x') });
    expect(result.status).toBe('signed');
    const report = await verify();
    const position = result.status === 'signed' ? result.checkpoint.position : -1;
    expect(report.findings).toEqual([{ position, stream: AUDIT_CHECKPOINT_STREAM, rule: 'checkpoint-signature', detail: 'no signature by the pinned audit key' }]);
  });

  it('finds a checkpoint whose tree shrank', async () => {
    const note = await signCheckpoint({ origin: 'keyledger.test/audit', treeSize: 7, rootHash: s.log.root(7) }, s.signer);
    const position = await appendRaw(store, s.ctx, AUDIT_CHECKPOINT_STREAM, 'AuditCheckpointSigned', {
      origin: 'keyledger.test/audit', treeSize: 7, rootHash: s.log.root(7).toString('base64'), lastPosition: (await s.log.inclusionProof('evt-9', 7)).position, keyName: s.signer.keyName, keyId: '00', note, signedAt: s.ctx.now.toISOString(),
    });
    const report = await verify();
    expect(only(report, 'checkpoint-consistency')).toEqual([expect.objectContaining({ position, detail: expect.stringContaining('shrank') })]);
  });

  it('finds a break-glass signature outside any session at its position', async () => {
    const position = await appendRaw(store, s.ctx, breakGlassStream('ghost'), 'BreakGlassSignatureIssued', {
      sessionId: 'ghost', actor: 'service:signing-breakglass', requester: 'user:rita', tenantId: 'acme', kid: 'bg-ghost', digest: 'a'.repeat(64), justification: 'x', sequence: 1, signedAt: s.ctx.now.toISOString(),
    });
    const report = await verify();
    expect(report.findings).toEqual([expect.objectContaining({ rule: 'break-glass-signature', position, stream: 'breakglass-ghost', detail: expect.stringContaining('outside any requested session') })]);
  });

  it('finds a break-glass signature after its session closed', async () => {
    const position = await appendRaw(store, s.ctx, breakGlassStream('bg1'), 'BreakGlassSignatureIssued', {
      sessionId: 'bg1', actor: 'service:signing-breakglass', requester: 'user:rita', tenantId: 'acme', kid: 'bg-bg1', digest: 'b'.repeat(64), justification: 'late', sequence: 3, signedAt: s.ctx.now.toISOString(),
    });
    const report = await verify();
    expect(report.findings).toEqual([expect.objectContaining({ rule: 'break-glass-signature', position, detail: expect.stringContaining('session had ended') })]);
  });

  it('finds a break-glass approval by the requester at its position', async () => {
    const bg = (command: object) => run(store, s.ctx, breakGlassDecider, breakGlassStream('bg2'), { sessionId: 'bg2', now: s.ctx.tick(), ...command } as never);
    await bg({ type: 'RequestBreakGlass', requester: 'user:rita', scope: GLOBAL_SCOPE, justification: 'KMS region outage, payments blocked', incidentRef: 'INC-43', ttlSeconds: 600 });
    const position = await appendRaw(store, s.ctx, breakGlassStream('bg2'), 'BreakGlassApproved', { sessionId: 'bg2', approver: 'user:rita', role: 'approver-security', approvedAt: s.ctx.now.toISOString() });
    const report = await verify();
    expect(report.findings).toEqual([{ position, stream: 'breakglass-bg2', rule: 'break-glass-approval', detail: 'approved by the requester user:rita' }]);
  });

  it('finds an activation without a valid quorum and every signature made under it', async () => {
    const at = () => s.ctx.tick().toISOString();
    const raw = (type: string, data: object) => appendRaw(store, s.ctx, breakGlassStream('bg3'), type, { sessionId: 'bg3', ...data });
    await raw('BreakGlassRequested', { requester: 'user:rita', scope: GLOBAL_SCOPE, justification: 'KMS region outage, payments blocked', incidentRef: 'INC-44', ttlSeconds: 600, requestedAt: at() });
    await raw('BreakGlassApproved', { approver: 'user:sam', role: 'approver-security', approvedAt: at() });
    const activated = await raw('BreakGlassActivated', { kid: 'bg-bg3', publicKey: 'pem', algorithm: 'ECDSA_P256_SHA256', activatedAt: at(), expiresAt: new Date(s.ctx.now.getTime() + 600_000).toISOString() });
    const signed = await raw('BreakGlassSignatureIssued', { actor: 'service:signing-breakglass', requester: 'user:rita', tenantId: 'acme', kid: 'bg-bg3', digest: 'c'.repeat(64), justification: 'x', sequence: 1, signedAt: at() });
    const report = await verify();
    expect(report.findings.map((f) => `${f.rule}@${f.position}`)).toEqual([`break-glass-approval@${activated}`, `break-glass-signature@${signed}`]);
  });

  it('finds a signature after expiry and an ended session whose emergency key was never destroyed', async () => {
    const bg = (command: object) => run(store, s.ctx, breakGlassDecider, breakGlassStream('bg4'), { sessionId: 'bg4', now: s.ctx.tick(), ...command } as never);
    await bg({ type: 'RequestBreakGlass', requester: 'user:rita', scope: GLOBAL_SCOPE, justification: 'KMS region outage, payments blocked', incidentRef: 'INC-45', ttlSeconds: 600 });
    await bg({ type: 'ApproveBreakGlass', approver: 'user:sam', role: 'approver-security' });
    await bg({ type: 'ApproveBreakGlass', approver: 'user:fay', role: 'approver-finance', emergencySigner: { kid: 'bg-bg4', publicKey: 'pem', algorithm: 'ECDSA_P256_SHA256' } });
    s.ctx.tick(3_600_000);
    const late = await appendRaw(store, s.ctx, breakGlassStream('bg4'), 'BreakGlassSignatureIssued', {
      sessionId: 'bg4', actor: 'service:signing-breakglass', requester: 'user:rita', tenantId: 'acme', kid: 'bg-bg4', digest: 'd'.repeat(64), justification: 'x', sequence: 1, signedAt: s.ctx.now.toISOString(),
    });
    await bg({ type: 'ExpireBreakGlass' });
    const expired = (await store.readStream(breakGlassStream('bg4'))).at(-1)?.position;
    const report = await verify();
    expect(report.findings.map((f) => `${f.rule}@${f.position}`)).toEqual([`break-glass-signature@${late}`, `break-glass-key-destroyed@${expired}`]);
    expect(report.findings[0].detail).toContain('outside the session');
  });

  it('passes a second complete break-glass session', async () => {
    await breakGlassSession(store, s.ctx, 'bg5', 3);
    expect((await verify()).findings).toEqual([]);
  });

  it('finds a rotation of a destroyed key and a signer registered for it', async () => {
    const rotated = await appendRaw(store, s.ctx, keyStream('acme', 'old'), 'KeyRotated', {
      tenantId: 'acme', keyId: 'old', version: 2, previousPrimaryVersion: 1, reason: 'manual', material: { mode: 'provider-resident', providerKeyRef: 'x' }, rotatedAt: s.ctx.now.toISOString(),
    });
    const registered = await appendRaw(store, s.ctx, 'signerregistry-global', 'SignerRegistered', {
      kid: 'acme-old-v2', publicKey: 'pem', algorithm: 'ED25519', owner: { kind: 'key-version', tenantId: 'acme', keyId: 'old', version: 2 }, validFrom: s.ctx.now.toISOString(), validUntil: null, registeredAt: s.ctx.now.toISOString(),
    });
    const report = await verify();
    expect(report.findings).toEqual([
      expect.objectContaining({ rule: 'key-lifecycle', position: rotated, detail: 'KeyRotated after KeyDestroyed: a destroyed key accepts nothing' }),
      expect.objectContaining({ rule: 'key-lifecycle', position: registered, detail: 'SignerRegistered for destroyed key acme:old' }),
    ]);
  });

  it('finds a signer registered for a trimmed version and a trim that does not raise minAvailableVersion', async () => {
    const at = s.ctx.now.toISOString();
    const ids = { tenantId: 'globex', keyId: 'signing' };
    await appendRaw(store, s.ctx, keyStream('globex', 'signing'), 'KeyRotated', { ...ids, version: 2, previousPrimaryVersion: 1, reason: 'manual', material: { mode: 'provider-resident', providerKeyRef: 'x' }, rotatedAt: at });
    await appendRaw(store, s.ctx, keyStream('globex', 'signing'), 'KeyMinDecryptionVersionSet', { ...ids, minDecryptionVersion: 2, setAt: at });
    await appendRaw(store, s.ctx, keyStream('globex', 'signing'), 'KeyVersionsTrimmed', { ...ids, minAvailableVersion: 2, previousMinAvailableVersion: 1, trimmedAt: at });
    expect((await verify()).findings).toEqual([]);
    const registered = await appendRaw(store, s.ctx, 'signerregistry-global', 'SignerRegistered', {
      kid: 'signing.v1-again', publicKey: 'pem', algorithm: 'ED25519', owner: { kind: 'key-version', ...ids, version: 1 }, validFrom: at, validUntil: null, registeredAt: at,
    });
    const again = await appendRaw(store, s.ctx, keyStream('globex', 'signing'), 'KeyVersionsTrimmed', { ...ids, minAvailableVersion: 2, previousMinAvailableVersion: 2, trimmedAt: at });
    expect(only(await verify(), 'key-lifecycle')).toEqual([
      expect.objectContaining({ position: registered, detail: 'SignerRegistered for trimmed version 1 of globex:signing' }),
      expect.objectContaining({ position: again, detail: 'trim to version 2 does not raise minAvailableVersion 2' }),
    ]);
  });

  it('accepts key material in its own version stream, and finds one stored under another version', async () => {
    const material = (version: number) => ({
      tenantId: 'globex', keyId: 'signing', version, wrappedMaterial: 'AAEC', wrappedMaterialSha256: 'b'.repeat(64), masterKeyRef: 'm', encryptionContext: { tenantId: 'globex' }, wrappedAt: s.ctx.now.toISOString(),
    });
    await appendRaw(store, s.ctx, keyMaterialVersionStream('globex', 'signing', 2), 'KeyMaterialWrapped', material(2));
    expect((await verify()).findings).toEqual([]);
    const misplaced = await appendRaw(store, s.ctx, keyMaterialVersionStream('globex', 'signing', 3), 'KeyMaterialWrapped', material(4));
    expect(only(await verify(), 'schema')).toEqual([expect.objectContaining({ position: misplaced, detail: expect.stringContaining('stored in keymaterialv-globex:signing:3') })]);
  });

  it('finds a rotation of a disabled key', async () => {
    await appendRaw(store, s.ctx, keyStream('globex', 'signing'), 'KeyDisabled', { tenantId: 'globex', keyId: 'signing', disabledAt: s.ctx.now.toISOString() });
    const rotated = await appendRaw(store, s.ctx, keyStream('globex', 'signing'), 'KeyRotated', {
      tenantId: 'globex', keyId: 'signing', version: 2, previousPrimaryVersion: 1, reason: 'scheduled', material: { mode: 'provider-resident', providerKeyRef: 'x' }, rotatedAt: s.ctx.now.toISOString(),
    });
    expect((await verify()).findings).toEqual([expect.objectContaining({ rule: 'key-lifecycle', position: rotated, detail: 'rotation while the key is Disabled' })]);
  });

  it.each([
    ['an unknown type', 'key-acme:signing', 'KeyStolen', { tenantId: 'acme', keyId: 'signing' }, 'unknown event type KeyStolen'],
    ['a type in the wrong stream', 'breaker-kms-signing-key', 'SigningFrozen', { scope: { kind: 'global' }, reason: 'r', frozenBy: 'u', frozenAt: '2025-03-01T10:00:00.000Z' }, 'does not belong'],
    ['a missing field', 'signingfreeze-global', 'SigningFrozen', { scope: { kind: 'global' }, reason: 'r', frozenBy: 'u' }, 'frozenAt is missing'],
    ['an extra field', 'signingfreeze-global', 'SigningResumed', { scope: { kind: 'global' }, resumedBy: 'u', resumedAt: '2025-03-01T10:00:00.000Z', secret: 'x' }, 'secret is not a field'],
    ['data naming another stream', 'key-acme:signing', 'KeyDisabled', { tenantId: 'acme', keyId: 'other', disabledAt: '2025-03-01T10:00:00.000Z' }, 'data names key-acme:other'],
    ['a rotation job event naming another job', 'rotationjob-job-1', 'RotationJobProgressed', { jobId: 'job-2', rotated: 1, skipped: 0, failed: 0, at: '2025-03-01T10:00:00.000Z' }, 'data names rotationjob-job-2'],
    ['a job claim outside the coordination stream', 'rotationjob-job-1', 'RotationJobClaimed', { jobId: 'job-1', claimedBy: 'api-1', claimedAt: '2025-03-01T10:00:00.000Z' }, 'does not belong'],
  ])('finds %s as a schema finding', async (_what, stream, type, data, detail) => {
    const position = await appendRaw(store, s.ctx, stream, type, data);
    const report = await verify();
    expect(report.findings).toEqual([expect.objectContaining({ rule: 'schema', position, detail: expect.stringContaining(detail) })]);
  });

  it('decodes a SignerRetired stored at schema version 1 (no reason) through the upcaster: no finding', async () => {
    const at = s.ctx.now.toISOString();
    const publicKey = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const owner = { kind: 'break-glass', sessionId: 'old-session' };
    await appendRaw(store, s.ctx, 'signerregistry-global', 'SignerRegistered', { kid: 'old-kid', publicKey, algorithm: 'ED25519', owner, validFrom: at, validUntil: null, registeredAt: at });
    await appendRaw(store, s.ctx, 'signerregistry-global', 'SignerRetired', { kid: 'old-kid', retiredAt: at }, 1);
    expect((await verify()).findings).toEqual([]);
  });

  it('reports a schema version newer than the current one as a schema finding, and goes on', async () => {
    const position = await appendRaw(store, s.ctx, keyStream('acme', 'signing'), 'KeyDisabled', { tenantId: 'acme', keyId: 'signing', disabledAt: s.ctx.now.toISOString() }, 2);
    const after = await appendRaw(store, s.ctx, 'signerregistry-global', 'SignerRetired', { kid: 'nobody', reason: null, retiredAt: s.ctx.now.toISOString() }, 3);
    const report = await verify();
    expect(report.findings).toEqual([
      expect.objectContaining({ rule: 'schema', position, detail: 'KeyDisabled at schema version 2, newer than the current 1' }),
      expect.objectContaining({ rule: 'schema', position: after, detail: 'SignerRetired at schema version 3, newer than the current 2' }),
    ]);
  });

  it('accepts a rotate-all job: the claim in the coordination stream, its lifecycle in its own stream', async () => {
    const at = s.ctx.now.toISOString();
    await appendRaw(store, s.ctx, 'rotationjobs-current', 'RotationJobClaimed', { jobId: 'job-1', claimedBy: 'api-1', claimedAt: at });
    await appendRaw(store, s.ctx, 'rotationjob-job-1', 'RotationJobStarted', { jobId: 'job-1', startedAt: at, requestedBy: 'ops', owner: 'api-1', total: 2 });
    await appendRaw(store, s.ctx, 'rotationjob-job-1', 'RotationJobResumed', { jobId: 'job-1', resumedBy: 'api-2', previousOwner: 'api-1', resumedAt: at });
    await appendRaw(store, s.ctx, 'rotationjob-job-1', 'RotationJobProgressed', { jobId: 'job-1', rotated: 1, skipped: 0, failed: 0, at });
    await appendRaw(store, s.ctx, 'rotationjob-job-1', 'RotationJobCompleted', { jobId: 'job-1', rotated: 2, skipped: 0, failed: 0, finishedAt: at });
    expect((await verify()).findings).toEqual([]);
  });
});

describe('AuditLog and the checkpoint use case', () => {
  it('signs only when new audited events exist, and a concurrent signer loses the race', async () => {
    const ctx = () => s.ctx.context('service:rotation-scheduler');
    expect((await signAuditCheckpoint(s.log, store, { origin: 'o', signer: s.signer, context: ctx() })).status).toBe('unchanged');
    await appendRaw(store, s.ctx, 'breaker-kms-public-key', 'BreakerOpened', { name: 'kms-public-key', instance: 'api-2', from: 'closed', failures: 5, calls: 10, failureRatio: 0.5, openedAt: s.ctx.now.toISOString() });
    const other = new AuditLog(store);
    const results = await Promise.all([
      signAuditCheckpoint(s.log, store, { origin: 'keyledger.test/audit', signer: s.signer, context: ctx() }),
      signAuditCheckpoint(other, store, { origin: 'keyledger.test/audit', signer: s.signer, context: ctx() }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['raced', 'signed']);
    expect((await signAuditCheckpoint(other, store, { origin: 'keyledger.test/audit', signer: s.signer, context: ctx() })).status).toBe('unchanged');
    expect((await verify()).findings).toEqual([]);
  });

  it('serves inclusion and consistency proofs that verify against its checkpoints', async () => {
    const { verifyInclusion, verifyConsistency } = await import('../src');
    await s.log.catchUp();
    const latest = s.log.latestCheckpoint();
    if (latest === null) throw new Error('the scenario signs checkpoints');
    const first = await s.log.inclusionProof('evt-2', latest.data.treeSize);
    expect(verifyInclusion(Buffer.from(first.leafHash, 'base64'), first.leafIndex, first.treeSize, first.auditPath.map((p) => Buffer.from(p, 'base64')), Buffer.from(latest.data.rootHash, 'base64'))).toBe(true);
    const c = await s.log.consistencyProof(7, latest.data.treeSize);
    expect(verifyConsistency(7, c.to, c.proof.map((p) => Buffer.from(p, 'base64')), Buffer.from(c.fromRoot, 'base64'), Buffer.from(latest.data.rootHash, 'base64'))).toBe(true);
    await expect(s.log.inclusionProof('evt-1', 5)).rejects.toMatchObject({ code: 'AUDIT_EVENT_NOT_FOUND' });
    await expect(s.log.consistencyProof(3, 10_000)).rejects.toMatchObject({ code: 'AUDIT_PROOF_RANGE' });
  });

  it('pages every event but key material: the leaves with their indexes, the checkpoints with leafIndex null', async () => {
    const page1 = await s.log.auditedEvents(1, 5);
    expect(page1.events.map((e) => e.leafIndex)).toEqual([0, 1, 2, 3, 4]);
    expect(page1.events.every((e) => !/^keymaterialv?-/.test(e.streamName) && e.streamName !== AUDIT_CHECKPOINT_STREAM)).toBe(true);
    expect(page1.nextPosition).not.toBeNull();
    const page2 = await s.log.auditedEvents(page1.nextPosition ?? 0, 1000);
    expect(page2.events[0].leafIndex).toBe(5);
    expect(page2.nextPosition).toBeNull();
    const all = [...page1.events, ...page2.events];
    const leaves = all.filter((e) => e.leafIndex !== null);
    expect(leaves.map((e) => e.leafIndex)).toEqual(leaves.map((_e, i) => i));
    expect(leaves.length).toBe(s.log.size);
    // The scenario's two checkpoints, the second being the store's last event (after the last leaf).
    const checkpoints = all.filter((e) => e.leafIndex === null);
    expect(checkpoints.map((e) => [e.streamName, e.revision])).toEqual([[AUDIT_CHECKPOINT_STREAM, 0], [AUDIT_CHECKPOINT_STREAM, 1]]);
    expect(all[all.length - 1]).toBe(checkpoints[1]);
    expect(all.some((e) => /^keymaterialv?-/.test(e.streamName))).toBe(false);
  });
});
