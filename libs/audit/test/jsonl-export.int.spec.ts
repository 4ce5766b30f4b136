import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@keyledger/adapters';
import { AuditSource, exportJsonl, noteVerifierKey, openAuditSource, verifyAuditRecords } from '../src';
import { Scenario, buildScenario } from './scenario';

let dir: string;
let s: Scenario;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'audit-jsonl-'));
  const store = SqliteEventStore.open({ dataDir: dir, fileName: 'events.sqlite', synchronous: 'NORMAL' });
  s = await buildScenario(store);
  await store.close();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function verifySource(source: AuditSource) {
  try {
    return await verifyAuditRecords(source.records(), { auditKey: noteVerifierKey(s.auditKey.publicKey), streamHeads: source.streamHeads });
  } finally {
    await source.close();
  }
}

describe('JSONL export', () => {
  it('exports every event and replays to the same clean result as the file', async () => {
    const out = join(dir, 'export.jsonl');
    const written = await exportJsonl(openAuditSource(`sqlite:${join(dir, 'events.sqlite')}`), out);
    const fromFile = await verifySource(openAuditSource(`sqlite:${join(dir, 'events.sqlite')}`));
    const fromJsonl = await verifySource(openAuditSource(out));
    expect(written).toBe(fromFile.eventsChecked);
    expect(fromJsonl.findings).toEqual([]);
    expect(fromJsonl.rootHash).toBe(fromFile.rootHash);
    expect(fromJsonl.checkpoints).toEqual(fromFile.checkpoints);
  });

  it('finds an event edited in the export at its position', async () => {
    const out = join(dir, 'edited.jsonl');
    await exportJsonl(openAuditSource(`sqlite:${join(dir, 'events.sqlite')}`), out);
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
    const i = lines.findIndex((l) => l.includes('"KeyDisabled"'));
    lines[i] = lines[i].replace('"globex"', '"initech"');
    writeFileSync(out, lines.join('\n') + '\n');
    const report = await verifySource(openAuditSource(out));
    const position = (JSON.parse(lines[i]) as { position: number }).position;
    expect(report.findings.filter((f) => f.rule === 'chain')).toEqual([expect.objectContaining({ position, detail: expect.stringContaining('altered') })]);
  });

  it('keeps an undecodable stored record raw, and the replay reports it', async () => {
    const copy = join(dir, 'corrupt.sqlite');
    writeFileSync(copy, readFileSync(join(dir, 'events.sqlite')));
    const db = new Database(copy);
    db.prepare('UPDATE events SET body = ? WHERE position = 2').run('{not json');
    db.close();
    const out = join(dir, 'corrupt.jsonl');
    await exportJsonl(openAuditSource(`sqlite:${copy}`), out);
    expect(readFileSync(out, 'utf8').split('\n')[1]).toContain('"body":"{not json"');
    const report = await verifySource(openAuditSource(out));
    expect(report.findings).toEqual(expect.arrayContaining([expect.objectContaining({ rule: 'record', position: 2 }), expect.objectContaining({ rule: 'chain', position: 2 })]));
  });

  it('refuses sources it cannot read with a typed error', () => {
    expect(() => openAuditSource(join(dir, 'missing.jsonl'))).toThrow(expect.objectContaining({ code: 'AUDIT_FORMAT_INVALID' }));
    expect(() => openAuditSource('sqlite:/nonexistent/file.sqlite')).toThrow(expect.objectContaining({ code: 'AUDIT_FORMAT_INVALID' }));
    expect(() => openAuditSource('esdb:http://x')).toThrow(expect.objectContaining({ code: 'AUDIT_FORMAT_INVALID' }));
    expect(() => openAuditSource('https://keyledger/api')).toThrow(expect.objectContaining({ code: 'AUDIT_FORMAT_INVALID' }));
  });
});
