import { KeyObject, createHash, generateKeyPairSync } from 'node:crypto';
import {
  Decider,
  EventStore,
  GLOBAL_SCOPE,
  NewEvent,
  breakGlassDecider,
  breakGlassStream,
  breakerStream,
  breakerTransitionsDecider,
  keyDecider,
  keyMaterialStream,
  keyStream,
  signerRegistryDecider,
  signerRegistryStream,
  signingFreezeDecider,
  signingFreezeStream,
} from '@keyledger/kms-domain';
import { AuditLog, CheckpointSigner, nodeCryptoSigner, signAuditCheckpoint } from '../src';

/** Test clock and ids: everything deterministic. */
export class Ctx {
  private n = 0;
  constructor(public now = new Date('2025-03-01T10:00:00.000Z')) {}
  tick(ms = 60_000): Date {
    this.now = new Date(this.now.getTime() + ms);
    return this.now;
  }
  context(actor = 'user:alice') {
    this.n += 1;
    return { eventId: `evt-${this.n}`, occurredAt: this.now.toISOString(), actor, correlationId: `corr-${this.n}`, causationId: null };
  }
}

/** Folds a stream, decides a command with a domain decider, appends the result: the real write path minus HTTP. */
export async function run<C, E extends { type: string; schemaVersion: number; data: unknown }, S>(
  store: EventStore,
  ctx: Ctx,
  decider: Decider<C, E, S>,
  stream: string,
  command: C,
): Promise<void> {
  const past = await store.readStream(stream);
  const state = past.reduce((s, e) => decider.evolve(s, { type: e.type, schemaVersion: e.schemaVersion, data: e.data } as E), decider.initialState());
  const events = decider.decide(command, state);
  await store.append(stream, events.map((e) => ({ type: e.type, schemaVersion: e.schemaVersion, data: e.data as object, metadata: ctx.context() })));
}

/** Appends one hand-made event (to forge what the deciders would refuse). */
export async function appendRaw(store: EventStore, ctx: Ctx, stream: string, type: string, data: object, schemaVersion = 1): Promise<number> {
  const event: NewEvent = { type, schemaVersion, data, metadata: ctx.context() };
  return (await store.append(stream, [event])).position;
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/** Appends a KeyMaterialWrapped (test bytes, not real material) and returns its SHA-256. */
async function wrapMaterial(store: EventStore, ctx: Ctx, tenantId: string, keyId: string, version: number): Promise<string> {
  const wrapped = Buffer.from(`wrapped-${keyId}-${version}`).toString('base64');
  const wrappedSha = createHash('sha256').update(Buffer.from(wrapped, 'base64')).digest('hex');
  await appendRaw(store, ctx, keyMaterialStream(tenantId, keyId), 'KeyMaterialWrapped', {
    tenantId, keyId, version, wrappedMaterial: wrapped, wrappedMaterialSha256: wrappedSha, masterKeyRef: 'local-master', encryptionContext: { tenantId }, wrappedAt: ctx.now.toISOString(),
  });
  return wrappedSha;
}

async function createKey(store: EventStore, ctx: Ctx, tenantId: string, keyId: string): Promise<void> {
  const wrappedSha = await wrapMaterial(store, ctx, tenantId, keyId, 1);
  await run(store, ctx, keyDecider, keyStream(tenantId, keyId), {
    type: 'CreateKey', tenantId, keyId, now: ctx.now, purpose: 'sign', provider: 'local', mode: 'wrapped',
    material: { mode: 'wrapped', wrappedMaterialSha256: wrappedSha, masterKeyRef: 'local-master' },
  });
}

export const emergencyPem = (): string =>
  generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();

/** A full break-glass session: request, two approvals (activation), signatures, close, key destroyed. */
export async function breakGlassSession(store: EventStore, ctx: Ctx, sessionId: string, signatures = 2): Promise<void> {
  const stream = breakGlassStream(sessionId);
  const bg = (command: object) => run(store, ctx, breakGlassDecider, stream, { sessionId, now: ctx.tick(), ...command } as never);
  await bg({ type: 'RequestBreakGlass', requester: 'user:rita', scope: GLOBAL_SCOPE, justification: 'KMS région outage — payments blocked 🔒', incidentRef: 'INC-42', ttlSeconds: 3600 });
  await bg({ type: 'ApproveBreakGlass', approver: 'user:sam', role: 'approver-security' });
  await bg({ type: 'ApproveBreakGlass', approver: 'user:fay', role: 'approver-finance', emergencySigner: { kid: `bg-${sessionId}`, publicKey: emergencyPem(), algorithm: 'ECDSA_P256_SHA256' } });
  for (let i = 0; i < signatures; i++) await bg({ type: 'RecordBreakGlassSignature', tenantId: 'acme', digest: sha(`payload-${i}`), justification: 'payment batch' });
  await bg({ type: 'CloseBreakGlass', closedBy: 'user:sam', reason: 'provider recovered ✓ (Zürich, 東京)' });
  await bg({ type: 'DestroyEmergencyKey' });
}

/** What a scenario produced: the audit key pair and the signer (for more checkpoints). */
export interface Scenario {
  readonly auditKey: { publicKey: KeyObject; privateKey: KeyObject };
  readonly signer: CheckpointSigner;
  readonly log: AuditLog;
  readonly ctx: Ctx;
}

/** Signs a checkpoint now. */
export async function checkpoint(store: EventStore, s: Pick<Scenario, 'log' | 'signer' | 'ctx'>): Promise<void> {
  await signAuditCheckpoint(s.log, store, { origin: 'keyledger.test/audit', signer: s.signer, context: s.ctx.context('service:rotation-scheduler') });
}

/**
 * A realistic history: keys created, rotated, disabled and enabled, one destroyed (its material
 * stream deleted), a freeze and resume, signers registered, breaker transitions, a complete
 * break-glass session, and two checkpoints (one in the middle, one at the end).
 */
export async function buildScenario(store: EventStore): Promise<Scenario> {
  const ctx = new Ctx();
  const auditKey = generateKeyPairSync('ed25519');
  const s: Scenario = { auditKey, signer: nodeCryptoSigner('keyledger.test/audit', auditKey.privateKey), log: new AuditLog(store), ctx };
  await createKey(store, ctx, 'acme', 'signing');
  await createKey(store, ctx, 'acme', 'old');
  await createKey(store, ctx, 'globex', 'signing');
  const key = (tenantId: string, keyId: string, command: object) => run(store, ctx, keyDecider, keyStream(tenantId, keyId), { tenantId, keyId, now: ctx.tick(), ...command } as never);
  const v2 = await wrapMaterial(store, ctx, 'acme', 'signing', 2);
  await key('acme', 'signing', { type: 'RotateKey', reason: 'manual', material: { mode: 'wrapped', wrappedMaterialSha256: v2, masterKeyRef: 'local-master' } });
  await key('globex', 'signing', { type: 'DisableKey' });
  await key('globex', 'signing', { type: 'EnableKey' });
  await run(store, ctx, signerRegistryDecider, signerRegistryStream(), {
    type: 'RegisterSigner', kid: 'acme-signing-v1', publicKey: emergencyPem(), algorithm: 'ECDSA_P256_SHA256', owner: { kind: 'key-version', tenantId: 'acme', keyId: 'signing', version: 1 }, validFrom: ctx.now, now: ctx.now,
  });
  await checkpoint(store, s);
  await key('acme', 'old', { type: 'ScheduleKeyDeletion', pendingWindowDays: 7 });
  ctx.tick(8 * 86_400_000);
  await key('acme', 'old', { type: 'DestroyKey' });
  await store.deleteStream(keyMaterialStream('acme', 'old'));
  await run(store, ctx, signingFreezeDecider, signingFreezeStream(GLOBAL_SCOPE), { type: 'FreezeSigning', scope: GLOBAL_SCOPE, reason: 'suspected key leak', actor: 'user:sam', now: ctx.tick() });
  await run(store, ctx, signingFreezeDecider, signingFreezeStream(GLOBAL_SCOPE), { type: 'ResumeSigning', scope: GLOBAL_SCOPE, actor: 'user:sam', now: ctx.tick() });
  const breaker = (command: object) => run(store, ctx, breakerTransitionsDecider, breakerStream('kms-signing-key'), { name: 'kms-signing-key', instance: 'api-1', now: ctx.tick(), ...command } as never);
  await breaker({ type: 'RecordBreakerOpened', failures: 6, calls: 10, failureRatio: 0.6 });
  await breaker({ type: 'RecordBreakerHalfOpened' });
  await breakGlassSession(store, ctx, 'bg1');
  await breaker({ type: 'RecordBreakerClosed', consecutiveSuccesses: 3 });
  await checkpoint(store, s);
  return s;
}
