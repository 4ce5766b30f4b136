import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { InMemoryEventStore, LocalKmsProvider } from '@keyledger/adapters';
import { type EventContext, type KmsProvider } from '@keyledger/kms-domain';
import {
  AUDIT_KEY_STREAM,
  AUDIT_NOTE_KEY_MATERIAL_STREAM,
  AuditLog,
  parseCheckpointNote,
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
    // The ECDSA key, then the Ed25519 note key: one of each however many processes raced.
    expect((await store.readStream(AUDIT_KEY_STREAM)).map((e) => e.type)).toEqual(['AuditKeyCreated', 'AuditNoteKeyCreated']);
    const [na, nb] = await Promise.all([a.noteRecord(), b.noteRecord()]);
    expect(na).toEqual(nb);
    expect(na).toMatchObject({ algorithm: 'ED25519', custody: 'wrapped', keyName: 'keyledger/audit' });
    expect(ra).toMatchObject({ algorithm: 'ECDSA_P256_SHA256', provider: 'local', keyName: 'keyledger/audit', origin: 'keyledger/audit' });

    await appendBreakerEvent(store);
    const log = new AuditLog(store);
    const result = await a.signCheckpoint(log, context());
    if (result.status !== 'signed') throw new Error(`expected a checkpoint, got ${result.status}`);
    // The audit-key events themselves are audited: they and the breaker event are the three leaves.
    expect(result.checkpoint.data.treeSize).toBe(3);
    expect(result.checkpoint.data.keyId).toBe(ra.keyId);
    const pinned = noteVerifierKey(auditKeyPem(ra));
    expect(verifyCheckpointNote(result.checkpoint.data.note, pinned)).toMatchObject({ ok: true, keyName: 'keyledger/audit' });
    expect((await b.signCheckpoint(log, context())).status).toBe('unchanged');
    // The same note carries the Ed25519 signature under the same name, verifiable with that key alone.
    const note = result.checkpoint.data.note;
    expect(parseCheckpointNote(note).signatures.map((s) => [s.keyName, s.keyId.toString('hex')])).toEqual([
      ['keyledger/audit', ra.keyId],
      ['keyledger/audit', na.keyId],
    ]);
    const ed = noteVerifierKey(Buffer.from(na.publicKey, 'base64'));
    expect(ed.algorithm).toBe('ED25519');
    expect(verifyCheckpointNote(note, ed)).toMatchObject({ ok: true, keyName: 'keyledger/audit' });
    expect(verifyCheckpointNote(note.replace('\n3\n', '\n4\n'), ed).ok).toBe(false);

    const report = await verifyAuditRecords(storeAuditSource(store, 'memory').records(), { auditKey: pinned });
    expect(report.findings).toEqual([]);
    expect((await verifyAuditRecords(storeAuditSource(store, 'memory').records(), { auditKey: ed })).findings).toEqual([]);
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

  it('reopens the recorded note key in a new process, and fails closed when its wrapped blob is another key', async () => {
    const store = new InMemoryEventStore();
    const provider = await localProvider();
    const first = await new ProviderAuditKey(store, provider, context).noteRecord();
    expect(first.verifierKey).toMatch(/^keyledger\/audit\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$/);
    const again = new ProviderAuditKey(store, provider, context);
    expect(await again.noteRecord()).toEqual(first);
    const signed = await again.signCheckpoint(new AuditLog(store), context());
    if (signed.status !== 'signed') throw new Error(signed.status);
    expect(verifyCheckpointNote(signed.checkpoint.data.note, noteVerifierKey(Buffer.from(first.publicKey, 'base64'))).ok).toBe(true);

    // A store whose material stream holds another wrapped key under the recorded digest's place.
    const swapped = new InMemoryEventStore();
    for (const e of await store.readAll({ after: 0, maxCount: 100 })) {
      let data = e.data as Record<string, unknown>;
      if (e.streamName === AUDIT_NOTE_KEY_MATERIAL_STREAM) {
        const other = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'der' });
        const wrapped = Buffer.from(await provider.encrypt(other, data.encryptionContext as Record<string, string>));
        data = { ...data, wrappedMaterial: wrapped.toString('base64') };
      }
      await swapped.append(e.streamName, [{ type: e.type, schemaVersion: e.schemaVersion, data, metadata: context() }]);
    }
    await expect(new ProviderAuditKey(swapped, provider, context).noteRecord()).rejects.toMatchObject({ code: 'AUDIT_KEY_MISMATCH' });
  });

  it('reports an AuditKeyCreated out of shape as a schema finding', async () => {
    const store = new InMemoryEventStore();
    await store.append(AUDIT_KEY_STREAM, [{ type: 'AuditKeyCreated', schemaVersion: 1, data: { keyName: 'x' }, metadata: context() }]);
    const key = noteVerifierKey(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey);
    const report = await verifyAuditRecords(storeAuditSource(store, 'memory').records(), { auditKey: key });
    expect(report.findings).toEqual([expect.objectContaining({ rule: 'schema', stream: AUDIT_KEY_STREAM, detail: 'AuditKeyCreated: origin is missing' })]);
  });
});
