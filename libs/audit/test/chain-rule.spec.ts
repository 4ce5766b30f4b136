import Database from 'better-sqlite3';
import fc from 'fast-check';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChainRecord, InMemoryEventStore, SqliteEventStore, VerifyResult, canonicalJson, chainHash, chainRecordOf, verifyChainRecords, verifyEventStore } from '@keyledger/adapters';
import { EventStore, NewEvent, RecordedEvent, toStreamName } from '@keyledger/kms-domain';
import { Finding, closeReplayWorkers, noteVerifierKey, openSqliteAuditSource, recordOfEvent, verifyAuditRecords, verifyAuditSource } from '../src';
import { ChainCheck } from '../src/verify/chain-check';

// The store (append, verify) and the audit replay check one hash-chain rule (adapters'
// chain-rule.ts). These properties hold it to that over arbitrary events: both rebuild the same
// canonical bytes and hashes, accept the same chains, and break at the same event for the same reason.

/** Any well-formed text: ASCII incl. JSON's escapes, Latin-1, other BMP characters, astral ones. */
const text = (minLength: number, maxLength: number) =>
  fc.string({ unit: fc.oneof(fc.constantFrom('a', 'Z', '"', '\\', '/', ' ', '\n', '\u2028'), fc.constantFrom('é', 'ÿ', 'Ж', '鍵', '€', '🔑', '𝄞')), minLength, maxLength });
/** Text the store accepts in metadata: no control characters. */
const label = fc.string({ unit: fc.constantFrom('a', 'Z', '7', '-', ':', 'é', '鍵', '🔑', '"', '\\'), minLength: 1, maxLength: 24 });
const number = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(0, -0, 1e21, 1e-7, Number.MAX_SAFE_INTEGER, 5e-324));
const json: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    number,
    text(0, 20),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(text(0, 8), tie('value'), { maxKeys: 4 }),
  ),
})).value;

const event: fc.Arbitrary<NewEvent> = fc.record({
  type: fc.constantFrom('NoteAdded', 'NoteEdited', 'Ping'),
  schemaVersion: fc.integer({ min: 1, max: 3 }),
  data: fc.dictionary(text(0, 8), json, { maxKeys: 5 }),
  metadata: fc.record({
    eventId: label,
    actor: label,
    correlationId: label,
    causationId: fc.option(label, { nil: null }),
    occurredAt: fc.integer({ min: 0, max: 4102444800000 }).map((ms) => new Date(ms).toISOString()),
  }),
});

/** A history over a few streams with non-ASCII ids: [stream index, events of one append]. */
const history = fc.array(fc.tuple(fc.nat({ max: 2 }), fc.array(event, { minLength: 1, maxLength: 3 })), { minLength: 1, maxLength: 8 });
const streamIds = fc.uniqueArray(text(1, 6), { minLength: 3, maxLength: 3 });

async function appendHistory(store: EventStore, ids: readonly string[], appends: readonly (readonly [number, readonly NewEvent[]])[]): Promise<RecordedEvent[]> {
  for (const [s, events] of appends) await store.append(toStreamName('note', ids[s]), events);
  return [...(await store.readAll({ maxCount: 1000 }))];
}

/** The audit replay's chain findings over records in global order. */
function auditChain(records: readonly ChainRecord[]): Finding[] {
  const chain = new ChainCheck();
  const found: Finding[] = [];
  for (const r of records) chain.checkRow(r.position, r.streamName, r.revision, r.prevHash, r.hash, r.body, (f) => found.push(f));
  return found;
}

/** The store's reason as the audit words it: which `chain` finding comes first for that event. */
function auditReason(detail: string): string {
  if (detail.includes('altered')) return 'hash-mismatch';
  if (detail.includes('prevHash')) return 'prev-hash-mismatch';
  return 'revision-gap';
}

/** The canonical body of the same event with its data changed: what an editor who knows the format writes. */
function editedBody(body: string): string {
  const parsed = JSON.parse(body) as { data: Record<string, unknown> };
  parsed.data['édité'] = parsed.data['édité'] === 1 ? 2 : 1;
  return canonicalJson(parsed);
}

type Tamper = { kind: 'body' | 'prevHash' | 'hash' | 'drop' | 'swap' | 'revision'; at: number };
const tamper: fc.Arbitrary<Tamper> = fc.record({ kind: fc.constantFrom('body', 'prevHash', 'hash', 'drop', 'swap', 'revision'), at: fc.nat() });

function applyTamper(records: ChainRecord[], t: Tamper): ChainRecord[] {
  const out = [...records];
  const i = t.at % out.length;
  const r = out[i];
  switch (t.kind) {
    case 'body':
      out[i] = { ...r, body: editedBody(r.body) };
      break;
    case 'prevHash':
      out[i] = { ...r, prevHash: chainHash(r.prevHash, 'x') };
      break;
    case 'hash':
      out[i] = { ...r, hash: chainHash(r.hash, 'x') };
      break;
    case 'drop':
      out.splice(i, 1);
      break;
    case 'swap':
      if (i + 1 < out.length) [out[i], out[i + 1]] = [out[i + 1], out[i]];
      break;
    case 'revision':
      out[i] = { ...r, revision: r.revision + 1 };
      break;
  }
  return out;
}

describe('one hash-chain rule for the store and the audit replay', () => {
  it('rebuilds the same canonical body and hash from a recorded event as the store wrote, and both accept the chain', async () => {
    await fc.assert(
      fc.asyncProperty(streamIds, history, async (ids, appends) => {
        const store = new InMemoryEventStore();
        const recorded = await appendHistory(store, ids, appends);
        const ofStore = recorded.map(chainRecordOf);
        const ofAudit = recorded.map(recordOfEvent);
        for (let i = 0; i < recorded.length; i++) {
          expect(ofAudit[i].body).toBe(ofStore[i].body);
          expect(chainHash(ofAudit[i].prevHash, ofAudit[i].body)).toBe(recorded[i].metadata.hash);
        }
        expect(await verifyEventStore(store)).toEqual({ ok: true, eventsChecked: recorded.length, streamsChecked: new Set(recorded.map((e) => e.streamName)).size });
        expect(auditChain(ofAudit)).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });

  it('breaks at the same event for the same reason in the store verify and the audit replay, whatever was tampered', async () => {
    await fc.assert(
      fc.asyncProperty(streamIds, history, tamper, async (ids, appends, t) => {
        const store = new InMemoryEventStore();
        const records = applyTamper((await appendHistory(store, ids, appends)).map(chainRecordOf), t);
        const result: VerifyResult = await verifyChainRecords(records);
        const found = auditChain(records);
        if (t.kind === 'body' || t.kind === 'prevHash' || t.kind === 'hash' || t.kind === 'revision') expect(result.ok).toBe(false);
        if (result.ok) {
          expect(found).toEqual([]);
          return;
        }
        expect(found.length).toBeGreaterThan(0);
        expect({ position: found[0].position, stream: found[0].stream, reason: auditReason(found[0].detail) }).toEqual({
          position: result.firstBreak.position,
          stream: result.firstBreak.streamName,
          reason: result.firstBreak.reason,
        });
      }),
      { numRuns: 300 },
    );
  });

  describe('over an SQLite file, in-thread and with the worker thread', () => {
    const auditKey = noteVerifierKey(generateKeyPairSync('ed25519').publicKey);
    const chainRules = new Set(['chain', 'stream-head', 'record']);
    let dir: string;

    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'chain-rule-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));
    afterAll(() => closeReplayWorkers());

    async function replays(file: string): Promise<Finding[][]> {
      const out: Finding[][] = [];
      for (const mode of ['records', 1, 2] as const) {
        const source = openSqliteAuditSource(file);
        try {
          const report = mode === 'records' ? await verifyAuditRecords(source.records(), { auditKey, streamHeads: source.streamHeads }) : await verifyAuditSource(source, { auditKey, threads: mode });
          out.push(report.findings.filter((f) => chainRules.has(f.rule)));
        } finally {
          await source.close();
        }
      }
      return out;
    }

    it('accepts the stored chains, and finds an edited body at the same position as the store verify', async () => {
      let run = 0;
      await fc.assert(
        fc.asyncProperty(streamIds, history, fc.nat(), async (ids, appends, at) => {
          const fileName = `events-${run++}.sqlite`;
          const file = join(dir, fileName);
          const store = SqliteEventStore.open({ dataDir: dir, fileName, synchronous: 'NORMAL' });
          const recorded = await appendHistory(store, ids, appends);
          expect((await store.verify()).ok).toBe(true);
          await store.close();
          for (const found of await replays(file)) expect(found).toEqual([]);

          const target = recorded[at % recorded.length];
          const db = new Database(file);
          try {
            const { body } = db.prepare<[number], { body: string }>('SELECT body FROM events WHERE position = ?').get(target.position) as { body: string };
            db.prepare('UPDATE events SET body = ? WHERE position = ?').run(editedBody(body), target.position);
          } finally {
            db.close();
          }
          const reopened = SqliteEventStore.open({ dataDir: dir, fileName, synchronous: 'NORMAL' });
          try {
            expect(await reopened.verify()).toMatchObject({ ok: false, firstBreak: { position: target.position, reason: 'hash-mismatch' } });
          } finally {
            await reopened.close();
          }
          for (const found of await replays(file)) {
            expect(found).toEqual([{ position: target.position, stream: target.streamName, rule: 'chain', detail: expect.stringContaining('altered') }]);
          }
        }),
        { numRuns: 12 },
      );
    });
  });
});
