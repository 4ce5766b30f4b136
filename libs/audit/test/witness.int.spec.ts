import { createHash, generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemoryEventStore, LocalKmsProvider } from '@keyledger/adapters';
import type { EventContext } from '@keyledger/kms-domain';
import { startTestWitness, type TestWitness } from '@keyledger/testing';
import {
  AUDIT_COSIGNATURE_STREAM,
  AuditLog,
  MerkleTree,
  ProviderAuditKey,
  checkpointText,
  cosignLatestCheckpoint,
  leafHash,
  nodeCryptoSigner,
  noteVerifierKey,
  noteVerifierKeyString,
  signCheckpoint,
  storeAuditSource,
  verifyAuditRecords,
  verifyCheckpointNote,
} from '../src';
import { cosign, findCosignature, parseWitnessKey, witnessKeyOf, type WitnessKey } from '../src/witness/cosignature';
import { addCheckpointBody } from '../src/witness/add-checkpoint';
import { submitCheckpoint, type SubmittedCheckpoint, type WitnessEndpoint } from '../src/witness/witness-client';

const ORIGIN = 'keyledger.test/audit';
const logKey = generateKeyPairSync('ed25519').privateKey;
const logVkey = noteVerifierKeyString(ORIGIN, noteVerifierKey(logKey).spkiDer);
const tree = new MerkleTree();
for (let i = 0; i < 40; i++) tree.append(leafHash(createHash('sha256').update(`e${i}`).digest()));

async function checkpointAt(size: number, key = logKey): Promise<SubmittedCheckpoint> {
  const body = { origin: ORIGIN, treeSize: size, rootHash: tree.root(size) };
  return { note: await signCheckpoint(body, nodeCryptoSigner(ORIGIN, key)), text: checkpointText(body), treeSize: size };
}
const proofFrom = (to: number) => (from: number) => tree.consistencyProof(from, to);

describe('C2SP cosignatures', () => {
  it('writes and finds a v1 cosignature, its key ID over name, 0x0A, 0x04 and the key', () => {
    const key = generateKeyPairSync('ed25519').privateKey;
    const witness = witnessKeyOf('w.example/1', key);
    expect(parseWitnessKey(witness.vkey).keyId).toEqual(witness.keyId);
    const text = checkpointText({ origin: ORIGIN, treeSize: 3, rootHash: tree.root(3) });
    const line = cosign('w.example/1', key, text, 1_700_000_000);
    expect(findCosignature(line, witness, text)).toEqual({ witness: 'w.example/1', timestamp: 1_700_000_000, line });
    expect(findCosignature(line, witness, text.replace('\n3\n', '\n4\n'))).toBeNull();
    expect(findCosignature(line, witnessKeyOf('w.example/1', generateKeyPairSync('ed25519').privateKey), text)).toBeNull();
    expect(() => parseWitnessKey(witness.vkey.replace(/\+[0-9a-f]{8}\+/, '+00000000+'))).toThrow(expect.objectContaining({ code: 'AUDIT_FORMAT_INVALID' }));
  });

  it('writes the add-checkpoint body: old size, proof lines, a blank line, the note', () => {
    const proof = tree.consistencyProof(5, 9);
    expect(addCheckpointBody(5, proof, 'n\n')).toBe(`old 5\n${proof.map((h) => `${h.toString('base64')}\n`).join('')}\nn\n`);
    expect(addCheckpointBody(0, [], 'n\n')).toBe('old 0\n\nn\n');
  });
});

describe('submitting checkpoints to a witness that follows C2SP tlog-witness', () => {
  let dir: string;
  let witness: TestWitness;
  let endpoint: WitnessEndpoint;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'keyledger-witness-'));
    witness = await startTestWitness({ logs: [{ origin: ORIGIN, vkey: logVkey }], stateFile: join(dir, 'state.json') });
    endpoint = { url: witness.url, key: parseWitnessKey(witness.vkey) };
  });
  afterAll(async () => {
    await witness.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gets a verified cosignature from size 0, then extends it with a consistency proof', async () => {
    const first = await submitCheckpoint(endpoint, await checkpointAt(10), 0, proofFrom(10));
    expect(first).toMatchObject({ status: 'cosigned', witnessSize: 10, cosignature: { witness: witness.name } });
    expect(witness.recorded(ORIGIN)).toEqual({ size: 10, root: tree.root(10).toString('base64') });
    const second = await submitCheckpoint(endpoint, await checkpointAt(17), 10, proofFrom(17));
    expect(second.status).toBe('cosigned');
    expect(witness.recorded(ORIGIN)?.size).toBe(17);
  });

  it('resends from the size a 409 names when the log lost track of the witness', async () => {
    const before = witness.answered.get(409) ?? 0;
    const outcome = await submitCheckpoint(endpoint, await checkpointAt(25), 0, proofFrom(25));
    expect(outcome).toMatchObject({ status: 'cosigned', witnessSize: 25 });
    expect(witness.answered.get(409)).toBe(before + 1);
  });

  it('reports a witness that is ahead, a forged proof, a stranger key and a witness that is down as values', async () => {
    expect(await submitCheckpoint(endpoint, await checkpointAt(20), 0, proofFrom(20))).toMatchObject({ status: 'failed', reason: 'ahead', witnessSize: 25 });
    const forged = await submitCheckpoint(endpoint, await checkpointAt(30), 25, () => [Buffer.alloc(32, 1)]);
    expect(forged).toMatchObject({ status: 'failed', reason: 'rejected', httpStatus: 422 });
    const stranger = await submitCheckpoint(endpoint, await checkpointAt(30, generateKeyPairSync('ed25519').privateKey), 25, proofFrom(30));
    expect(stranger).toMatchObject({ status: 'failed', reason: 'rejected', httpStatus: 403 });
    expect(witness.recorded(ORIGIN)?.size).toBe(25);
    const impostor = { ...endpoint, key: witnessKeyOf(witness.name, generateKeyPairSync('ed25519').privateKey) };
    expect(await submitCheckpoint(impostor, await checkpointAt(30), 25, proofFrom(30))).toMatchObject({ status: 'failed', reason: 'bad-answer' });
    const down = await startTestWitness({ logs: [], stateFile: join(dir, 'down.json') });
    const url = down.url;
    await down.close();
    expect(await submitCheckpoint({ ...endpoint, url }, await checkpointAt(30), 25, proofFrom(30), { timeoutMs: 2000 })).toEqual({ status: 'failed', reason: 'unreachable' });
  });

  it('persists its record: a restarted witness still refuses to roll back', async () => {
    await witness.close();
    witness = await startTestWitness({ logs: [{ origin: ORIGIN, vkey: logVkey }], stateFile: join(dir, 'state.json'), privateKey: undefined });
    endpoint = { url: witness.url, key: parseWitnessKey(witness.vkey) };
    expect(witness.recorded(ORIGIN)?.size).toBe(30);
    expect(await submitCheckpoint(endpoint, await checkpointAt(12), 0, proofFrom(12))).toMatchObject({ status: 'failed', reason: 'ahead', witnessSize: 30 });
  });
});

describe('cosigning the newest checkpoint (the scheduler use case)', () => {
  const context = (): EventContext => ({ eventId: randomUUID(), occurredAt: new Date().toISOString(), actor: 'service:test', correlationId: randomUUID(), causationId: null });
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'keyledger-cosign-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function breakerEvent(store: InMemoryEventStore): Promise<void> {
    const data = { name: 'kms-signing-key', instance: randomUUID(), from: 'closed', failures: 5, calls: 10, failureRatio: 0.5, openedAt: new Date().toISOString() };
    await store.append('breaker-kms-signing-key', [{ type: 'BreakerOpened', schemaVersion: 1, data, metadata: context() }]);
  }

  it('stores each witness cosignature, serves it with the note, and a down witness costs only its own', async () => {
    const store = new InMemoryEventStore();
    const provider = await LocalKmsProvider.create({ masterKeyBase64: randomBytes(32).toString('base64'), warn: () => undefined });
    const key = new ProviderAuditKey(store, provider, context);
    const note = await key.noteRecord();
    const up = await startTestWitness({ name: 'witness.test/up', logs: [{ origin: note.keyName, vkey: note.verifierKey }], stateFile: join(dir, 'up.json') });
    const gone = await startTestWitness({ name: 'witness.test/gone', logs: [], stateFile: join(dir, 'gone.json') });
    await gone.close();
    const witnesses = [up, gone].map((w) => ({ url: w.url, key: parseWitnessKey(w.vkey) }));
    const log = new AuditLog(store);
    try {
      await breakerEvent(store);
      expect(await cosignLatestCheckpoint(log, store, witnesses, context)).toEqual([]);
      const first = await key.signCheckpoint(log, context());
      if (first.status !== 'signed') throw new Error(first.status);
      expect(await cosignLatestCheckpoint(log, store, witnesses, context, { timeoutMs: 2000 })).toEqual([
        { witness: 'witness.test/up', status: 'cosigned', treeSize: first.checkpoint.data.treeSize },
        { witness: 'witness.test/gone', status: 'failed', treeSize: first.checkpoint.data.treeSize, reason: 'unreachable', httpStatus: undefined },
      ]);
      await log.catchUp();
      const served = log.cosignedNote() as string;
      const text = checkpointText({ origin: note.keyName, treeSize: first.checkpoint.data.treeSize, rootHash: Buffer.from(first.checkpoint.data.rootHash, 'base64') });
      expect(served.startsWith(first.checkpoint.data.note)).toBe(true);
      expect(findCosignature(served, witnesses[0].key, text)).not.toBeNull();
      expect(verifyCheckpointNote(served, noteVerifierKey(Buffer.from(note.publicKey, 'base64'))).ok).toBe(true);
      expect((await cosignLatestCheckpoint(log, store, witnesses.slice(0, 1), context))[0].status).toBe('already');

      // The next checkpoint goes from the stored size with a consistency proof, no 409 round trip.
      await breakerEvent(store);
      const second = await key.signCheckpoint(log, context());
      if (second.status !== 'signed') throw new Error(second.status);
      const conflicts = up.answered.get(409) ?? 0;
      expect((await cosignLatestCheckpoint(log, store, witnesses.slice(0, 1), context))[0]).toMatchObject({ status: 'cosigned', treeSize: second.checkpoint.data.treeSize });
      expect(up.answered.get(409) ?? 0).toBe(conflicts);
      expect(up.recorded(note.keyName)?.size).toBe(second.checkpoint.data.treeSize);

      // Cosignatures are not leaves (no checkpoint treadmill), and the replay accepts their events.
      expect((await key.signCheckpoint(log, context())).status).toBe('unchanged');
      const report = await verifyAuditRecords(storeAuditSource(store, 'memory').records(), { auditKey: noteVerifierKey(Buffer.from(note.publicKey, 'base64')) });
      expect(report.findings).toEqual([]);
      expect(await store.readStream(AUDIT_COSIGNATURE_STREAM)).toHaveLength(2);

      // audit verify --witness: the trusted witness's cosignatures verify and the newest checkpoint has them.
      const pinned = noteVerifierKey(Buffer.from(note.publicKey, 'base64'));
      const replay = (witnessKeys: readonly WitnessKey[], quorum: number) =>
        verifyAuditRecords(storeAuditSource(store, 'memory').records(), { auditKey: pinned, witnesses: { witnesses: witnessKeys, quorum } });
      expect((await replay([witnesses[0].key], 1)).findings).toEqual([]);
      expect((await replay(witnesses.map((w) => w.key), 2)).findings).toEqual([
        expect.objectContaining({ rule: 'checkpoint-witness', stream: 'audit-checkpoints', detail: expect.stringContaining('cosignatures from 1 trusted witnesses, 2 required') }),
      ]);
      const impostor = witnessKeyOf('witness.test/up', generateKeyPairSync('ed25519').privateKey);
      const forged = await replay([impostor], 1);
      expect(forged.findings.map((f) => f.rule)).toEqual(['checkpoint-witness', 'checkpoint-witness', 'checkpoint-witness']);
      expect(forged.findings[0].detail).toContain('does not verify with the trusted witness key');

      // A newer checkpoint nobody has cosigned yet falls short of the quorum.
      await breakerEvent(store);
      expect((await key.signCheckpoint(log, context())).status).toBe('signed');
      expect((await replay([witnesses[0].key], 1)).findings).toEqual([expect.objectContaining({ rule: 'checkpoint-witness', detail: expect.stringContaining('from 0 trusted witnesses, 1 required') })]);
    } finally {
      await up.close();
    }
  });
});
