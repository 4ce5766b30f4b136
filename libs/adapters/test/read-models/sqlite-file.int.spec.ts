import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { InMemoryReadModels, READ_MODEL_SCHEMA_VERSION, type ProjectedEvent, type ReadModels } from '@keyledger/kms-domain';
import { SqliteReadModels } from '../../src/read-models/sqlite-read-models';
import { probeOf, snapshot } from './answers';
import { at, ev, Feed } from './events';
import { FEEDER_HISTORY, generateHistory, randomPages } from './history';

jest.setTimeout(60_000);

const ROOT = resolve(__dirname, '../../../..');
let dir: string;
let files = 0;
const opened: ReadModels[] = [];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'keyledger-rm-file-'));
});
afterEach(() => {
  for (const models of opened.splice(0)) models.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const newFile = (): string => join(dir, `views-${files++}.sqlite`);
const open = (file: string, cacheSize?: number): SqliteReadModels => {
  const models = new SqliteReadModels(file, cacheSize === undefined ? {} : { cacheSize });
  opened.push(models);
  return models;
};
/** The answers of read models that folded `events` cleanly, in one page (the in-memory adapter, held to the same contract). */
const cleanSnapshot = (events: readonly ProjectedEvent[], all = events): Record<string, unknown> => {
  const clean = new InMemoryReadModels();
  clean.apply(events);
  return snapshot(clean, probeOf(all));
};

/** Runs feeder.ts in a child process (node with the tsx loader) and collects its output lines. */
function feeder(args: string[], onLine: (line: string, child: ReturnType<typeof spawn>) => void = () => undefined) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'feeder.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, TSX_TSCONFIG_PATH: join(ROOT, 'tsconfig.base.json') },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  let buffered = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      onLine(line, child);
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.on('exit', (code, signal) => done({ code, signal })));
  return { child, lines, exited };
}

describe('SqliteReadModels on a file', () => {
  const events = generateHistory(7, { tenants: 4, steps: 150 });
  const half = Math.floor(events.length / 2);
  const probe = probeOf(events);

  describe('crash between rows and position', () => {
    it('commits neither rows, counters nor position of a page whose transaction fails before the position; a re-apply equals a clean apply', () => {
      const file = newFile();
      const models = open(file);
      models.apply(events.slice(0, half));
      const before = snapshot(models, probe);
      // Warm the point-read cache with rows the failed page touches.
      for (const { tenantId, keyId } of probe.keys) models.keys.get(tenantId, keyId);
      models.beforePositionWrite = () => {
        throw new Error('power cut');
      };
      expect(() => models.apply(events.slice(half))).toThrow('power cut');
      expect(snapshot(models, probe)).toEqual(before);
      expect(models.position()).toBe(events[half - 1].position);
      models.close();

      const reopened = open(file);
      expect(reopened.rebuilt).toBe(false);
      expect(snapshot(reopened, probe)).toEqual(before);
      reopened.apply(events.slice(half));
      expect(snapshot(reopened, probe)).toEqual(cleanSnapshot(events));
    });

    it('loses the whole page and nothing else when the process is killed inside the page transaction', async () => {
      const file = newFile();
      const run = feeder(['crash', file, String(11)]);
      const { signal } = await run.exited;
      expect(signal).toBe('SIGKILL');
      expect(run.lines).not.toContain('survived');
      const crashed = generateHistory(11, FEEDER_HISTORY);
      const firstHalf = crashed.slice(0, Math.floor(crashed.length / 2));
      expect(run.lines).toContain(`applied ${firstHalf[firstHalf.length - 1].position}`);

      const models = open(file);
      expect(models.rebuilt).toBe(false);
      expect(models.position()).toBe(firstHalf[firstHalf.length - 1].position);
      expect(snapshot(models, probeOf(crashed))).toEqual(cleanSnapshot(firstHalf, crashed));
      models.apply(crashed);
      expect(snapshot(models, probeOf(crashed))).toEqual(cleanSnapshot(crashed));
    });
  });

  describe('resume', () => {
    it('keeps rows and position across close and reopen, and continues from there (a re-delivered tail is skipped)', () => {
      const file = newFile();
      const first = open(file);
      expect(first.rebuilt).toBe(true);
      for (const page of randomPages(events.slice(0, half), 3, 9)) first.apply(page);
      const before = snapshot(first, probe);
      first.close();

      const second = open(file);
      expect(second.rebuilt).toBe(false);
      expect(second.position()).toBe(events[half - 1].position);
      expect(snapshot(second, probe)).toEqual(before);
      second.apply(events.slice(half - 10));
      expect(snapshot(second, probe)).toEqual(cleanSnapshot(events));
    });
  });

  describe('schema-version rebuild', () => {
    const written = (): string => {
      const file = newFile();
      const models = new SqliteReadModels(file);
      models.apply(events);
      models.close();
      return file;
    };
    const expectEmptyThenRebuildable = (file: string): void => {
      const models = open(file);
      expect(models.rebuilt).toBe(true);
      expect(models.position()).toBe(0);
      expect(snapshot(models, probe)).toEqual(cleanSnapshot([], events));
      models.apply(events);
      expect(snapshot(models, probe)).toEqual(cleanSnapshot(events));
      models.close();
      expect(open(file).rebuilt).toBe(false);
    };

    it.each([
      ['an older', READ_MODEL_SCHEMA_VERSION - 1],
      ['a newer', READ_MODEL_SCHEMA_VERSION + 1],
    ])('drops the rows and position of a file written with %s READ_MODEL_SCHEMA_VERSION at open', (_label, version) => {
      const file = written();
      const db = new Database(file);
      db.prepare("UPDATE rm_meta SET value = ? WHERE name = 'schema'").run(version);
      db.close();
      expectEmptyThenRebuildable(file);
    });

    it('rebuilds a file whose schema version is missing', () => {
      const file = written();
      const db = new Database(file);
      db.prepare("DELETE FROM rm_meta WHERE name = 'schema'").run();
      db.close();
      expectEmptyThenRebuildable(file);
    });

    it('opens a file of an older layout (other columns, no indexes) by dropping its tables', () => {
      const file = newFile();
      const db = new Database(file);
      db.exec("CREATE TABLE rm_meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL); INSERT INTO rm_meta VALUES ('schema', 0), ('position', 999);");
      db.exec("CREATE TABLE rm_keys (id TEXT PRIMARY KEY, body TEXT); INSERT INTO rm_keys VALUES ('acme:old', '{}');");
      db.exec("CREATE TABLE rm_counters (name TEXT, value INTEGER); INSERT INTO rm_counters VALUES ('keys.total', 42);");
      db.close();
      expectEmptyThenRebuildable(file);
    });
  });

  describe('two instances on one file', () => {
    it('the second sees the first’s committed rows and position at once, and after a reopen', () => {
      const file = newFile();
      const a = open(file);
      const b = open(file);
      expect(b.rebuilt).toBe(false);
      a.apply(events.slice(0, half));
      expect(b.position()).toBe(a.position());
      expect(snapshot(b, probe)).toEqual(snapshot(a, probe));
      a.close();
      expect(snapshot(open(file), probe)).toEqual(snapshot(b, probe));
    });

    it('applies each event once when both feed the same events in different pages, interleaved: nothing double-counted', () => {
      const file = newFile();
      const a = open(file);
      const b = open(file);
      const pagesA = randomPages(events, 21, 7);
      const pagesB = randomPages(events, 22, 13);
      for (let i = 0; i < Math.max(pagesA.length, pagesB.length); i++) {
        if (pagesA[i]) a.apply(pagesA[i]);
        if (pagesB[i]) b.apply(pagesB[i]);
      }
      const expected = cleanSnapshot(events);
      expect(snapshot(a, probe)).toEqual(expected);
      expect(snapshot(b, probe)).toEqual(expected);
    });

    it('applies each event once when two processes feed the same history into one file at the same time', async () => {
      const file = newFile();
      new SqliteReadModels(file).close();
      const ready = new Set<number>();
      const runs = [0, 1].map((i) =>
        feeder(['feed', file, '31', String(3 + i * 5)], (line) => {
          if (line !== 'ready') return;
          ready.add(i);
          if (ready.size === 2) for (const run of runs) run.child.stdin?.end('go\n');
        }),
      );
      const exits = await Promise.all(runs.map((r) => r.exited));
      expect(exits).toEqual([
        { code: 0, signal: null },
        { code: 0, signal: null },
      ]);
      const foreign = runs.map((r) => Number(r.lines.find((l) => l.startsWith('done '))?.slice(5)));
      expect(foreign.every(Number.isInteger)).toBe(true);
      // The writers overlapped in time: one found the other's events applied between its own pages, more than once.
      expect(Math.max(...foreign)).toBeGreaterThan(1);
      const history = generateHistory(31, FEEDER_HISTORY);
      expect(snapshot(open(file), probeOf(history))).toEqual(cleanSnapshot(history));
    });
  });

  describe('point-read cache', () => {
    const keysOf = (feed: Feed) => feed.page(ev.created('acme', 'k1', 0), ev.created('acme', 'k2', 0), ev.created('acme', 'k3', 0));
    const rotations = (feed: Feed) => feed.page(ev.rotated('acme', 'k1', 2, 1), ev.rotated('acme', 'k2', 2, 1), ev.rotated('acme', 'k3', 2, 1));

    it('serves a row another instance rotated as cached until this instance applies the rotation, then the new version', () => {
      const file = newFile();
      const writer = open(file);
      const reader = open(file);
      const feed = new Feed();
      const created = keysOf(feed);
      writer.apply(created);
      reader.apply(created);
      expect(reader.keys.get('acme', 'k1')?.primaryVersion).toBe(1);
      expect(reader.keys.get('acme', 'k9')).toBeUndefined();
      const rotated = rotations(feed);
      const late = feed.page(ev.created('acme', 'k9', 2));
      writer.apply([...rotated, ...late]);
      expect(reader.keys.get('acme', 'k1')?.primaryVersion).toBe(1);
      expect(reader.keys.get('acme', 'k9')).toBeUndefined();
      // Queries read the tables, not the cache.
      expect(reader.keys.listTenant('acme', { limit: 10 }).items.map((k) => k.primaryVersion)).toEqual([2, 2, 2, 1]);
      reader.apply([...rotated, ...late]);
      expect(reader.keys.get('acme', 'k1')?.primaryVersion).toBe(2);
      expect(reader.keys.get('acme', 'k9')?.status).toBe('Enabled');
      expect(reader.keys.counts().total).toBe(4);
    });

    it('keeps at most cacheSize rows: the least recently read one is read again from the table', () => {
      const file = newFile();
      const writer = open(file);
      const small = open(file, 2);
      const feed = new Feed();
      writer.apply(keysOf(feed));
      for (const keyId of ['k1', 'k2', 'k3']) expect(small.keys.get('acme', keyId)?.primaryVersion).toBe(1);
      writer.apply(rotations(feed));
      // k1 fell out of the cache of two (k2, k3 held); reading it evicts k2.
      expect(small.keys.get('acme', 'k1')?.primaryVersion).toBe(2);
      expect(small.keys.get('acme', 'k3')?.primaryVersion).toBe(1);
      expect(small.keys.get('acme', 'k2')?.primaryVersion).toBe(2);
    });
  });

  describe('query plans', () => {
    const now = at(200);
    /** Each query and the indexes its statements must search (never a walk of a whole table, nor a sort of every key). */
    const QUERIES: [string, (m: ReadModels) => unknown, RegExp][] = [
      ['keys.get', (m) => m.keys.get('tenant-0', 'k'), /PRIMARY KEY/],
      ['keys.tenantOf', (m) => m.keys.tenantOf('k'), /INDEX rm_keys_key \(key_id=\?\)/],
      ['keys.listTenant', (m) => m.keys.listTenant('tenant-0', { limit: 2 }), /INDEX rm_keys_tenant /],
      ['keys.dueForRotation', (m) => m.keys.dueForRotation(now, 20, { limit: 2 }), /INDEX rm_keys_(due|rotated) /],
      ['keys.overdueCount', (m) => m.keys.overdueCount(now, 20), /INDEX rm_keys_(due|rotated) /],
      ['keys.enabledRotatedBefore', (m) => m.keys.enabledRotatedBefore(now, { limit: 2 }), /INDEX rm_keys_rotated /],
      ['keys.recentlyRotated', (m) => m.keys.recentlyRotated(2), /INDEX rm_keys_rotated$/],
      ['keys.deletionDue', (m) => m.keys.deletionDue(now, { limit: 2 }), /INDEX rm_keys_deletion /],
      ['keys.withStatus', (m) => m.keys.withStatus('Disabled', { limit: 2 }), /INDEX rm_keys_status /],
      ['keys.trimDue', (m) => m.keys.trimDue({ limit: 2 }), /INDEX rm_keys_trim /],
      ['signers.activeBreakGlass', (m) => m.signers.activeBreakGlass(), /INDEX rm_signers_kind \(owner_kind=\? AND status=\?\)/],
      ['signers.keysNeedingSigners', (m) => m.signers.keysNeedingSigners({ limit: 2 }), /INDEX rm_keys_purpose .*INDEX rm_signers_key .*INDEX rm_signers_key /],
      ['sessions.withStatus', (m) => m.sessions.withStatus('Active', { limit: 2 }), /INDEX rm_sessions_status /],
      ['sessions.dueForExpiry', (m) => m.sessions.dueForExpiry(now, 2), /INDEX rm_sessions_expiry /],
      ['sessions.requestedBefore', (m) => m.sessions.requestedBefore(now, 2), /INDEX rm_sessions_expiry /],
      ['sessions.awaitingKeyDestruction', (m) => m.sessions.awaitingKeyDestruction(2), /INDEX rm_sessions_awaiting /],
      ['sessions.activeCount', (m) => m.sessions.activeCount(), /INDEX rm_sessions_expiry /],
      ['breakers.outOf', (m) => m.breakers.outOf(['kms-signing-key']), /INDEX rm_breakers_state /],
    ];

    it.each(QUERIES)('%s searches its index', (name, query, index) => {
      const file = newFile();
      const writer = open(file);
      writer.apply(events);
      const models = open(file);
      // The adapter's prepared statements (white box: the SQL each query ran).
      const prepared = (models as unknown as { statements: Map<string, unknown> }).statements;
      const before = new Set(prepared.keys());
      query(models);
      const sqls = [...prepared.keys()].filter((sql) => !before.has(sql) && sql.startsWith('SELECT'));
      expect(sqls.length).toBeGreaterThan(0);
      const db = new Database(file, { readonly: true });
      try {
        for (const sql of sqls) {
          const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...Array((sql.match(/\?/g) ?? []).length).fill(0)) as { detail: string }[]).map((row) => row.detail);
          expect(plan.join(' | ')).toMatch(index);
          expect(plan.filter((detail) => /^SCAN (rm_|k\b)/.test(detail) && !/USING (COVERING )?INDEX/.test(detail))).toEqual([]);
          if (/FROM rm_keys/.test(sql) && name !== 'keys.tenantOf') expect(plan.filter((detail) => detail.includes('TEMP B-TREE'))).toEqual([]);
        }
      } finally {
        db.close();
      }
    });
  });

  describe('agrees with the in-memory adapter', () => {
    it('gives the same answer to every query on generated histories, walked at several page sizes', () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: 40 }), (seed, maxPage) => {
          const history = generateHistory(seed, { tenants: 6, steps: 250 });
          const memory = new InMemoryReadModels();
          for (const page of randomPages(history, seed, maxPage)) memory.apply(page);
          const sqlite = open(newFile());
          for (const page of randomPages(history, seed + 7, maxPage)) sqlite.apply(page);
          const p = probeOf(history);
          for (const limit of [1, 4, 1000]) expect(snapshot(sqlite, p, limit)).toEqual(snapshot(memory, p, limit));
        }),
        { seed: 4_242, numRuns: 6 },
      );
    });
  });
});
