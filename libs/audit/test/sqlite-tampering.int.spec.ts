import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalBody, chainHash, SqliteEventStore } from '@keyledger/adapters';
import { GENESIS_HASH, breakGlassStream, keyStream } from '@keyledger/kms-domain';
import { Finding, VerifyReport, closeReplayWorkers, noteVerifierKey, openSqliteAuditSource, verifyAuditRecords, verifyAuditSource } from '../src';
import { Scenario, buildScenario } from './scenario';

const FILE = 'events.sqlite';
let dir: string;
let scenario: Scenario;

async function build(): Promise<void> {
  const store = SqliteEventStore.open({ dataDir: dir, fileName: FILE, synchronous: 'NORMAL' });
  scenario = await buildScenario(store);
  await store.close();
}

/** One replay of the file: decoded records in-thread, raw rows in-thread, or raw rows split with the worker thread. */
async function replay(mode: 'records' | 1 | 2): Promise<VerifyReport> {
  const source = openSqliteAuditSource(join(dir, FILE));
  const auditKey = noteVerifierKey(scenario.auditKey.publicKey);
  try {
    if (mode === 'records') return await verifyAuditRecords(source.records(), { auditKey, streamHeads: source.streamHeads });
    return await verifyAuditSource(source, { auditKey, threads: mode });
  } finally {
    await source.close();
  }
}

/** Replays the file all three ways; every way must give the same report, findings in the same order. */
async function verify(): Promise<VerifyReport> {
  const report = await replay('records');
  expect(await replay(1)).toEqual(report);
  expect(await replay(2)).toEqual(report);
  return report;
}

function tamper<T>(fn: (db: Database.Database) => T): T {
  const db = new Database(join(dir, FILE));
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

type Row = { position: number; stream: string; revision: number; prev_hash: string; hash: string; body: string };
const rowsOf = (stream: string) => tamper((db) => db.prepare<[string], Row>('SELECT * FROM events WHERE stream = ? ORDER BY revision').all(stream));
const checkpointPositions = () => rowsOf('audit-checkpoints').map((r) => r.position);
const rules = (findings: readonly Finding[]) => findings.map((f) => `${f.rule}@${f.position}`);

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'audit-'));
  await build();
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));
afterAll(() => closeReplayWorkers());

/** Rewrites a stream's rows with `edit` applied to some bodies, re-hashing its chain and head so only deeper checks see it. */
function rewriteStream(stream: string, edit: (row: Row) => string): void {
  const rows = rowsOf(stream);
  tamper((db) => {
    let prevHash = GENESIS_HASH;
    for (const r of rows) {
      const body = edit(r);
      const hash = chainHash(prevHash, body);
      db.prepare('UPDATE events SET body = ?, prev_hash = ?, hash = ? WHERE position = ?').run(body, prevHash, hash, r.position);
      prevHash = hash;
    }
    db.prepare('UPDATE streams SET hash = ? WHERE stream = ?').run(prevHash, stream);
  });
}

describe('audit replay of the embedded SQLite file', () => {
  it('passes a clean history: chains, schemas, both checkpoints, break-glass and lifecycle rules', async () => {
    const report = await verify();
    expect(report.findings).toEqual([]);
    expect(report.clean).toBe(true);
    expect(report.checkpoints).toHaveLength(2);
    expect(report.checkpoints.every((c) => c.signatureValid && c.rootValid)).toBe(true);
    expect(report.eventsChecked).toBeGreaterThan(25);
    expect(report.auditedEvents).toBe(report.checkpoints[1].treeSize);
  });

  it("finds an event whose data was edited in the file, at that event's position", async () => {
    const rotated = rowsOf(keyStream('acme', 'signing'))[1];
    tamper((db) => db.prepare('UPDATE events SET body = ? WHERE position = ?').run(rotated.body.replace('"manual"', '"scheduled"'), rotated.position));
    const report = await verify();
    expect(report.findings).toEqual([expect.objectContaining({ rule: 'chain', position: rotated.position, stream: 'key-acme:signing', detail: expect.stringContaining('altered') })]);
  });

  it('finds an edited event whose stream was re-hashed to hide it, through both checkpoints', async () => {
    const rows = rowsOf(keyStream('acme', 'signing'));
    tamper((db) => {
      let prevHash = GENESIS_HASH;
      for (const r of rows) {
        const body = r.revision === 1 ? r.body.replace('"manual"', '"scheduled"') : r.body;
        const hash = chainHash(prevHash, body);
        db.prepare('UPDATE events SET prev_hash = ?, hash = ?, body = ? WHERE position = ?').run(prevHash, hash, body, r.position);
        prevHash = hash;
      }
      db.prepare('UPDATE streams SET hash = ? WHERE stream = ?').run(prevHash, rows[0].stream);
    });
    const report = await verify();
    const [first, second] = checkpointPositions();
    expect(rules(report.findings)).toEqual([`checkpoint-root@${first}`, `checkpoint-root@${second}`]);
  });

  it('finds an event deleted from the middle of a stream at the next event of that stream', async () => {
    const [, disabled, enabled] = rowsOf(keyStream('globex', 'signing'));
    tamper((db) => db.prepare('DELETE FROM events WHERE position = ?').run(disabled.position));
    const report = await verify();
    expect(report.findings).toContainEqual(expect.objectContaining({ rule: 'chain', position: enabled.position, detail: expect.stringContaining('1 event(s) missing') }));
    expect(rules(report.findings)).toContain(`checkpoint-root@${checkpointPositions()[0]}`);
  });

  it("finds an event deleted from a stream's tail through the stream head and the checkpoint", async () => {
    const rows = rowsOf('breaker-kms-signing-key');
    const last = rows[rows.length - 1];
    tamper((db) => db.prepare('DELETE FROM events WHERE position = ?').run(last.position));
    const report = await verify();
    expect(report.findings).toContainEqual(expect.objectContaining({ rule: 'stream-head', stream: 'breaker-kms-signing-key', position: rows[rows.length - 2].position }));
    expect(rules(report.findings)).toContain(`checkpoint-root@${checkpointPositions()[1]}`);
  });

  it('finds two events of one stream swapped, at both positions', async () => {
    const sigs = rowsOf(breakGlassStream('bg1')).filter((r) => r.body.includes('BreakGlassSignatureIssued'));
    const [a, b] = [sigs[0].position, sigs[1].position];
    tamper((db) => {
      const move = db.prepare('UPDATE events SET position = ? WHERE position = ?');
      db.transaction(() => {
        move.run(-1, a);
        move.run(a, b);
        move.run(b, -1);
      })();
    });
    const report = await verify();
    expect(rules(report.findings)).toEqual(expect.arrayContaining([`chain@${a}`, `chain@${b}`, `checkpoint-root@${checkpointPositions()[1]}`]));
  });

  it('finds two events of different streams swapped through the checkpoint root', async () => {
    const a = rowsOf('signingfreeze-global')[1].position;
    const b = rowsOf('breaker-kms-signing-key')[0].position;
    tamper((db) => {
      const move = db.prepare('UPDATE events SET position = ? WHERE position = ?');
      db.transaction(() => {
        move.run(-1, a);
        move.run(a, b);
        move.run(b, -1);
      })();
    });
    const report = await verify();
    expect(report.findings).toEqual([expect.objectContaining({ rule: 'checkpoint-root', position: checkpointPositions()[1], detail: expect.stringContaining('changed') })]);
  });

  it('finds a well-chained event inserted into history (in the gap of a shredded stream) through the checkpoint root', async () => {
    const gapRow = tamper((db) => db.prepare<[], { p: number }>('SELECT a.position + 1 AS p FROM events a WHERE NOT EXISTS (SELECT 1 FROM events b WHERE b.position = a.position + 1) ORDER BY a.position LIMIT 1').get());
    if (gapRow === undefined) throw new Error('the scenario leaves a gap (a shredded material stream)');
    const gap = gapRow;
    const stream = 'signingfreeze-tenant:acme';
    const forged = { type: 'SigningResumed', schemaVersion: 1, data: { scope: { kind: 'tenant', tenantId: 'acme' }, resumedBy: 'user:mallory', resumedAt: '2025-03-01T10:05:00.000Z' }, metadata: { eventId: 'forged-1', occurredAt: '2025-03-01T10:05:00.000Z', actor: 'user:mallory', correlationId: 'x', causationId: null } };
    const body = canonicalBody(stream, 0, forged);
    const hash = chainHash(GENESIS_HASH, body);
    tamper((db) => {
      db.prepare('INSERT INTO events (position, stream, revision, prev_hash, hash, body) VALUES (?, ?, 0, ?, ?, ?)').run(gap.p, stream, GENESIS_HASH, hash, body);
      db.prepare('INSERT INTO streams (stream, revision, hash) VALUES (?, 0, ?)').run(stream, hash);
    });
    const report = await verify();
    const [first] = checkpointPositions();
    expect(rules(report.findings)).toEqual([`checkpoint-root@${first}`, `checkpoint-root@${checkpointPositions()[1]}`]);
    expect(report.findings[0].detail).toMatch(/signed root of \d+ events differs/);
  });

  it('finds a naively inserted event at its own position', async () => {
    const max = tamper((db) => db.prepare<[], { m: number }>('SELECT MAX(position) AS m FROM events').get()?.m ?? 0);
    const prev = rowsOf('signingfreeze-global')[1];
    const body = prev.body.replace('"revision":1', '"revision":2');
    tamper((db) => db.prepare('INSERT INTO events (position, stream, revision, prev_hash, hash, body) VALUES (?, ?, 2, ?, ?, ?)').run(max + 1, prev.stream, prev.hash, prev.hash, body));
    const report = await verify();
    expect(report.findings).toContainEqual(expect.objectContaining({ rule: 'chain', position: max + 1, detail: expect.stringContaining('altered') }));
    expect(report.findings).toContainEqual(expect.objectContaining({ rule: 'duplicate-event-id', position: max + 1 }));
  });

  it('reports rows whose columns hold a BLOB or a non-number where the store writes text and integers, the same way in every mode', async () => {
    const [first, second] = rowsOf(keyStream('acme', 'signing'));
    tamper((db) => {
      // SQLite keeps what it is given: a BLOB in the TEXT column body, a string in the INTEGER column revision.
      db.prepare('UPDATE events SET body = ? WHERE position = ?').run(Buffer.from(first.body.replace('"acme"', '"acmf"')), first.position);
      db.prepare("UPDATE events SET revision = 'one' WHERE position = ?").run(second.position);
    });
    expect(tamper((db) => db.prepare<[number], { t: string }>('SELECT typeof(body) AS t FROM events WHERE position = ?').get(first.position)?.t)).toBe('blob');
    const report = await verify();
    expect(rules(report.findings)).toEqual(expect.arrayContaining([`chain@${first.position}`, `chain@${second.position}`, `record@${second.position}`]));
  });

  it("finds a checkpoint whose root was rewritten in the file, even with the stream's chain re-hashed", async () => {
    const [cp] = rowsOf('audit-checkpoints');
    const parsed = JSON.parse(cp.body) as { data: { rootHash: string; note: string } };
    const fake = Buffer.alloc(32, 7).toString('base64');
    parsed.data.note = parsed.data.note.replace(parsed.data.rootHash, fake);
    parsed.data.rootHash = fake;
    const rows = rowsOf('audit-checkpoints');
    tamper((db) => {
      let prevHash = GENESIS_HASH;
      for (const r of rows) {
        const body = r.position === cp.position ? JSON.stringify(parsed) : r.body;
        const hash = chainHash(prevHash, body);
        db.prepare('UPDATE events SET body = ?, prev_hash = ?, hash = ? WHERE position = ?').run(body, prevHash, hash, r.position);
        prevHash = hash;
      }
      db.prepare('UPDATE streams SET hash = ? WHERE stream = ?').run(prevHash, 'audit-checkpoints');
    });
    const report = await verify();
    expect(rules(report.findings)).toEqual(expect.arrayContaining([`checkpoint-signature@${cp.position}`, `checkpoint-root@${cp.position}`]));
    expect(report.findings.filter((f) => f.rule === 'chain')).toEqual([]);
  });

  it('reports the same findings in the same order on one thread and with the worker, several kinds at once', async () => {
    const [cp] = rowsOf('audit-checkpoints');
    const reused = JSON.parse(rowsOf(keyStream('acme', 'signing'))[0].body) as { metadata: { eventId: string } };
    const rotated = rowsOf(keyStream('acme', 'signing'))[1];
    const breaker = rowsOf('breaker-kms-signing-key');
    // A checkpoint re-hashed into its chain with a forged root and a reused event id; an edited event; a removed tail.
    rewriteStream('audit-checkpoints', (r) => {
      if (r.position !== cp.position) return r.body;
      const parsed = JSON.parse(r.body) as { data: { rootHash: string; note: string }; metadata: { eventId: string } };
      const fake = Buffer.alloc(32, 9).toString('base64');
      parsed.data.note = parsed.data.note.replace(parsed.data.rootHash, fake);
      parsed.data.rootHash = fake;
      parsed.metadata.eventId = reused.metadata.eventId;
      return JSON.stringify(parsed);
    });
    tamper((db) => {
      db.prepare('UPDATE events SET body = ? WHERE position = ?').run(rotated.body.replace('"manual"', '"scheduled"'), rotated.position);
      db.prepare('DELETE FROM events WHERE position = ?').run(breaker[breaker.length - 1].position);
      db.prepare("UPDATE events SET body = '{not json' WHERE position = ?").run(breaker[0].position);
    });
    const report = await verify();
    const found = rules(report.findings);
    expect(found).toEqual(
      expect.arrayContaining([
        `chain@${rotated.position}`,
        `record@${breaker[0].position}`,
        `duplicate-event-id@${cp.position}`,
        `checkpoint-signature@${cp.position}`,
        `checkpoint-root@${cp.position}`,
        `stream-head@${breaker[breaker.length - 2].position}`,
      ]),
    );
    // For one event: its chain and order findings, then the decoded checks, then the checkpoint's; stream heads last.
    expect(found.indexOf(`duplicate-event-id@${cp.position}`)).toBeLessThan(found.indexOf(`checkpoint-signature@${cp.position}`));
    expect(found[found.length - 1]).toBe(`stream-head@${breaker[breaker.length - 2].position}`);
  });
});
