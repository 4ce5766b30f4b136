import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { InMemoryEventStore, LocalKmsProvider } from '@keyledger/adapters';
import { type EventContext, type KmsProvider } from '@keyledger/kms-domain';
import {
  AUDIT_KEY_STREAM,
  AuditLog,
  ProviderAuditKey,
  auditKeyPem,
  noteVerifierKey,
  storeAuditSource,
  verifyAuditRecords,
  verifyCheckpointNote,
} from '../src';

const context = (): EventContext => ({ eventId: randomUUID(), occurredAt: new Date().toISOString(), actor: 'service:test', correlationId: randomUUID(), causationId: null });

async function localProvider(): Promise<LocalKmsProvider> {
  return LocalKmsProvider.create({ masterKeyBase64: randomBytes(32).toString('base64'), warn: () => undefined });
}

async function appendBreakerEvent(store: InMemoryEventStore): Promise<void> {
  const data = { name: 'kms-signing-key', instance: 'test', from: 'closed', failures: 5, calls: 10, failureRatio: 0.5, openedAt: new Date().toISOString() };
  await store.append('breaker-kms-signing-key', [{ type: 'BreakerOpened', schemaVersion: 1, data, metadata: context() }]);
}

describe('the provider-resident audit key', () => {
  it('is created once for concurrent processes and signs checkpoints the pinned public key verifies', async () => {
    const store = new InMemoryEventStore();
    const provider = await localProvider();
    const [a, b] = [new ProviderAuditKey(store, provider, context), new ProviderAuditKey(store, provider, context)];
    const [ra, rb] = await Promise.all([a.record(), b.record()]);
    expect(ra).toEqual(rb);
    expect(await store.readStream(AUDIT_KEY_STREAM)).toHaveLength(1);
    expect(ra).toMatchObject({ algorithm: 'ECDSA_P256_SHA256', provider: 'local', keyName: 'keyledger/audit', origin: 'keyledger/audit' });

    await appendBreakerEvent(store);
    const log = new AuditLog(store);
    const result = await a.signCheckpoint(log, context());
    if (result.status !== 'signed') throw new Error(`expected a checkpoint, got ${result.status}`);
    // The audit-key event itself is audited: it and the breaker event are the two leaves.
    expect(result.checkpoint.data.treeSize).toBe(2);
    expect(result.checkpoint.data.keyId).toBe(ra.keyId);
    const pinned = noteVerifierKey(auditKeyPem(ra));
    expect(verifyCheckpointNote(result.checkpoint.data.note, pinned)).toMatchObject({ ok: true, keyName: 'keyledger/audit' });
    expect((await b.signCheckpoint(log, context())).status).toBe('unchanged');

    const report = await verifyAuditRecords(storeAuditSource(store, 'memory').records(), { auditKey: pinned });
    expect(report.findings).toEqual([]);
    const other = noteVerifierKey(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey);
    const forged = await verifyAuditRecords(storeAuditSource(store, 'memory').records(), { auditKey: other });
    expect(forged.findings.map((f) => f.rule)).toEqual(['checkpoint-signature']);
  });

  it('fails closed when the provider holds another public key than the recorded one', async () => {
    const store = new InMemoryEventStore();
    const provider = await localProvider();
    await new ProviderAuditKey(store, provider, context).record();
    const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'der' });
    const lying: KmsProvider = Object.assign(Object.create(provider) as KmsProvider, { getPublicKey: async () => new Uint8Array(stranger) });
    await expect(new ProviderAuditKey(store, lying, context).record()).rejects.toMatchObject({ code: 'AUDIT_KEY_MISMATCH' });
  });

  it('reports an AuditKeyCreated out of shape as a schema finding', async () => {
    const store = new InMemoryEventStore();
    await store.append(AUDIT_KEY_STREAM, [{ type: 'AuditKeyCreated', schemaVersion: 1, data: { keyName: 'x' }, metadata: context() }]);
    const key = noteVerifierKey(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey);
    const report = await verifyAuditRecords(storeAuditSource(store, 'memory').records(), { auditKey: key });
    expect(report.findings).toEqual([expect.objectContaining({ rule: 'schema', stream: AUDIT_KEY_STREAM, detail: 'AuditKeyCreated: origin is missing' })]);
  });
});
