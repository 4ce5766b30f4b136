import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_EVENTS_FILE } from '../../src/event-store/sqlite/schema';
import { SqliteEventStore } from '../../src/event-store/sqlite/sqlite-event-store';
import { verifyEventStore } from '../../src/event-store/verify';
import { take, testEvent } from './fixtures';

describe('SqliteEventStore specifics', () => {
  let dir: string;
  let store: SqliteEventStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'keyledger-es-'));
    store = SqliteEventStore.open({ dataDir: dir });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const raw = (): Database.Database => new Database(join(dir, DEFAULT_EVENTS_FILE));

  async function seed(): Promise<void> {
    await store.append('key-a', [testEvent('KeyCreated', { n: 1 }), testEvent('KeyRotated', { n: 2 })]);
    await store.append('key-b', [testEvent('KeyCreated', { n: 3 })]);
    await store.append('key-a', [testEvent('KeyRotated', { n: 4 }), testEvent('KeyDisabled', { n: 5 })]);
  }

  it('opens the file in WAL mode with synchronous=FULL by default', () => {
    const db = raw();
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
    const pragma = (store as unknown as { db: Database.Database }).db.pragma('synchronous', { simple: true });
    expect(pragma).toBe(2);
  });

  it('verifies the whole store and a single stream, both through the port and over stored bodies', async () => {
    await seed();
    await expect(store.verify()).resolves.toEqual({ ok: true, eventsChecked: 5, streamsChecked: 2 });
    await expect(verifyEventStore(store)).resolves.toEqual({ ok: true, eventsChecked: 5, streamsChecked: 2 });
    await expect(store.verify({ streamName: 'key-a' })).resolves.toEqual({ ok: true, eventsChecked: 4, streamsChecked: 1 });
  });

  it('reports an edited event as the first broken link, with its position', async () => {
    await seed();
    const db = raw();
    db.prepare("UPDATE events SET body = replace(body, '\"n\":4', '\"n\":40') WHERE position = 4").run();
    db.close();
    const expected = { ok: false, eventsChecked: 3, firstBreak: { streamName: 'key-a', revision: 2, position: 4, reason: 'hash-mismatch' } };
    await expect(store.verify()).resolves.toMatchObject(expected);
    await expect(verifyEventStore(store)).resolves.toMatchObject(expected);
  });

  it('reports a removed event as a revision gap at the position of the event after it', async () => {
    await seed();
    const db = raw();
    db.prepare('DELETE FROM events WHERE position = 2').run();
    db.close();
    await expect(store.verify({ streamName: 'key-a' })).resolves.toMatchObject({ ok: false, firstBreak: { position: 4, reason: 'revision-gap' } });
  });

  it('reports a corrupt row with its position instead of skipping it', async () => {
    await seed();
    const db = raw();
    db.prepare("UPDATE events SET body = '{not json' WHERE position = 3").run();
    db.close();
    await expect(store.readAll()).rejects.toMatchObject({ code: 'STORE_CORRUPT', position: 3 });
    await expect(store.readStream('key-b')).rejects.toMatchObject({ code: 'STORE_CORRUPT', position: 3 });
    await expect(verifyEventStore(store)).resolves.toMatchObject({ ok: false, firstBreak: { position: 3, reason: 'corrupt' } });
    await expect(store.verify()).resolves.toMatchObject({ ok: false, firstBreak: { position: 3, reason: 'hash-mismatch' } });
  });

  it('commits appends that arrive together in one transaction, failing only the conflicting one', async () => {
    await store.append('key-x', [testEvent()]);
    const before = store.commitStats();
    const appends = Array.from({ length: 50 }, (_, i) => store.append(`key-${i}`, [testEvent('KeyCreated', { i })], { expectedRevision: 'no-stream' }));
    const conflicting = store.append('key-x', [testEvent()], { expectedRevision: 'no-stream' });
    const results = await Promise.allSettled([...appends, conflicting]);
    expect(results.slice(0, 50).every((r) => r.status === 'fulfilled')).toBe(true);
    expect(results[50]).toMatchObject({ status: 'rejected', reason: { code: 'CONCURRENCY_CONFLICT' } });
    const after = store.commitStats();
    expect(after.appends - before.appends).toBe(51);
    expect(after.transactions - before.transactions).toBe(1);
  });

  it('shares the file between two opened stores: revision checks hold and subscriptions see the other writer', async () => {
    const other = SqliteEventStore.open({ dataDir: dir, pollIntervalMs: 10 });
    try {
      await store.append('key-shared', [testEvent()]);
      const outcomes = await Promise.allSettled([
        store.append('key-shared', [testEvent('KeyRotated')], { expectedRevision: 0 }),
        other.append('key-shared', [testEvent('KeyRotated')], { expectedRevision: 0 }),
      ]);
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      const subscription = other.subscribe({ after: await other.headPosition() });
      const iterator = subscription[Symbol.asyncIterator]();
      const next = take(iterator, 1);
      await store.append('key-shared', [testEvent('KeyDisabled')]);
      expect((await next)[0]).toMatchObject({ streamName: 'key-shared', revision: 2, type: 'KeyDisabled' });
      await subscription.stop();
    } finally {
      await other.close();
    }
  });

  it('removes a deleted stream from the file and never reuses its positions', async () => {
    await seed();
    await store.deleteStream('key-a');
    const db = raw();
    expect(db.prepare("SELECT COUNT(*) AS n FROM events WHERE stream = 'key-a'").get()).toEqual({ n: 0 });
    db.close();
    const next = await store.append('key-c', [testEvent()]);
    expect(next.position).toBe(6);
    expect((await store.readAll()).map((e) => e.position)).toEqual([3, 6]);
  });

  it('refuses operations after close with STORE_UNAVAILABLE (not transient)', async () => {
    await store.close();
    await expect(store.append('key-a', [testEvent()])).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE', transient: false });
  });
});
