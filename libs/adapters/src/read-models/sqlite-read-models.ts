import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { LRUCache } from 'lru-cache';
import {
  KEY_COUNTERS,
  READ_MODEL_TABLE_NAMES,
  breakerRowId,
  decodeCursor,
  decodeRotationCursor,
  deleteAfterMs,
  isTrimDue,
  encodeCursor,
  foldPage,
  keyRowId,
  lastRotatedMs,
  requireLimit,
  rotationDueMs,
  rowIdsOf,
  type BreakGlassViewEntry,
  type BreakerViewEntry,
  type KeyCounts,
  type KeyStatus,
  type KeyViewEntry,
  type PageRequest,
  type ProjectedEvent,
  type ReadModelRows,
  type ReadModelTableName,
  type ReadModels,
  type RowPage,
  type SignerEntry,
  type SigningFreezeViewEntry,
  type SortKey,
} from '@keyledger/kms-domain';
import { clearReadModels, prepareReadModelSchema } from './sqlite-read-model-schema';

export interface SqliteReadModelsOptions {
  /** Entries kept per table by the point-read cache (default 10,000). */
  readonly cacheSize?: number;
}

type Row = { body: string };
type Bind = Record<string, string | number | null>;
const NONE = Symbol('none');
const KEY_STATUSES: readonly KeyStatus[] = ['Enabled', 'Disabled', 'PendingDeletion', 'Destroyed'];
const FAR_PAST = -1e15;
const MS_PER_DAY = 86_400_000;

/** Columns of each table besides `id` and `body`, taken from the entry (what the indexes need). */
const COLUMNS: { readonly [T in ReadModelTableName]: (entry: ReadModelRows[T]) => Bind } = {
  keys: (k) => ({
    tenant_id: k.tenantId,
    key_id: k.keyId,
    status: k.status,
    purpose: k.purpose,
    mode: k.mode,
    version_count: k.versions.length,
    due_at: rotationDueMs(k),
    last_rotated_at: lastRotatedMs(k),
    delete_after: deleteAfterMs(k),
    trim_due: isTrimDue(k) ? 1 : 0,
  }),
  signers: (s) => ({
    owner_kind: s.owner.kind,
    tenant_id: s.owner.kind === 'key-version' ? s.owner.tenantId : null,
    key_id: s.owner.kind === 'key-version' ? s.owner.keyId : null,
    status: s.status,
  }),
  sessions: (s) => ({
    status: s.status,
    // The time the status runs out against: expiry of a running session, the request time of a requested one.
    expires_at: s.status === 'Active' || s.status === 'KeyLost' ? Date.parse(s.expiresAt) : s.status === 'Requested' ? Date.parse(s.requestedAt) : null,
    awaiting_destruction: s.status === 'Ended' && s.issued !== null ? 1 : 0,
  }),
  breakers: (b) => ({ name: b.name, state: b.state }),
  freeze: () => ({}),
};

const TABLE_OF: { readonly [T in ReadModelTableName]: string } = {
  keys: 'rm_keys',
  signers: 'rm_signers',
  sessions: 'rm_sessions',
  breakers: 'rm_breakers',
  freeze: 'rm_freeze',
};

/**
 * The read models in an SQLite file (WAL; beside the events file on the embedded store, one local
 * file per instance with EventStoreDB). Each page of events is folded by the domain's row rules and
 * written with the new position in one immediate transaction that first re-reads the stored
 * position: a crash loses the whole page or nothing, and several processes may feed the same file
 * (events another one already applied are skipped). Point reads go through an LRU per table that
 * every applied event invalidates for the rows it touches; queries use the indexes of
 * `sqlite-read-model-schema.ts`, so none walks every key. The time-ordered key queries name their
 * partial index (`INDEXED BY`): without statistics the planner prefers the status index, which
 * walks and sorts every enabled key.
 */
export class SqliteReadModels implements ReadModels {
  private readonly db: Database.Database;
  private readonly caches: { [T in ReadModelTableName]: LRUCache<string, ReadModelRows[T] | typeof NONE> };
  private readonly tenants: LRUCache<string, string>;
  private readonly statements = new Map<string, Database.Statement>();
  /** True when the file was created or its schema changed at open (the caller replays from zero). */
  readonly rebuilt: boolean;
  /** Test hook: runs inside the page transaction after the rows are written, before the position. */
  beforePositionWrite: (() => void) | null = null;

  constructor(
    readonly file: string,
    options: SqliteReadModelsOptions = {},
  ) {
    mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file, { timeout: 10_000 });
    this.db.pragma('journal_mode = WAL');
    // A lost tail after a power cut only means re-applying from the earlier position (idempotent).
    this.db.pragma('synchronous = NORMAL');
    this.rebuilt = prepareReadModelSchema(this.db).rebuilt;
    const max = Math.max(1, options.cacheSize ?? 10_000);
    this.caches = {
      keys: new LRUCache({ max }),
      signers: new LRUCache({ max }),
      sessions: new LRUCache({ max: Math.min(max, 1000) }),
      breakers: new LRUCache({ max: Math.min(max, 1000) }),
      freeze: new LRUCache({ max: Math.min(max, 1000) }),
    };
    this.tenants = new LRUCache({ max });
  }

  position(): number {
    return (this.stmt("SELECT value FROM rm_meta WHERE name = 'position'").get() as { value: number } | undefined)?.value ?? 0;
  }

  apply(page: readonly ProjectedEvent[]): void {
    if (page.length === 0) return;
    try {
      this.db
        .transaction(() => {
          const folded = foldPage(page, this.position(), (table, id) => this.readRow(table, id));
          if (folded.position === null) return;
          for (const table of READ_MODEL_TABLE_NAMES) this.writeRows(table, folded.rows[table] as Map<string, never>);
          for (const [name, delta] of folded.counters) {
            this.stmt('INSERT INTO rm_counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = value + excluded.value').run(name, delta);
          }
          this.beforePositionWrite?.();
          this.stmt("INSERT INTO rm_meta (name, value) VALUES ('position', ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value").run(folded.position);
        })
        .immediate();
    } finally {
      // Whether this process wrote the rows or another one did, cached copies of them are stale now.
      for (const { event } of page) for (const { table, id } of rowIdsOf(event)) this.caches[table].delete(id);
    }
  }

  reset(): void {
    clearReadModels(this.db);
    for (const table of READ_MODEL_TABLE_NAMES) this.caches[table].clear();
    this.tenants.clear();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  readonly keys = {
    get: (tenantId: string, keyId: string): KeyViewEntry | undefined => this.cached('keys', keyRowId(tenantId, keyId)),
    tenantOf: (keyId: string): string | undefined => {
      const known = this.tenants.get(keyId);
      if (known !== undefined) return known;
      const row = this.stmt('SELECT tenant_id FROM rm_keys WHERE key_id = ? ORDER BY tenant_id LIMIT 1').get(keyId) as { tenant_id: string } | undefined;
      if (row) this.tenants.set(keyId, row.tenant_id);
      return row?.tenant_id;
    },
    listTenant: (tenantId: string, page: PageRequest): RowPage<KeyViewEntry> => {
      requireLimit(page.limit);
      const [after] = page.cursor ? decodeCursor(page.cursor, 's') : [''];
      const rows = this.stmt('SELECT body, key_id FROM rm_keys WHERE tenant_id = ? AND key_id > ? ORDER BY key_id LIMIT ?').all(tenantId, after, page.limit + 1) as (Row & { key_id: string })[];
      return this.paged(rows, page.limit, (r) => [r.key_id]);
    },
    dueForRotation: (now: Date, maxAgeDays: number | undefined, page: PageRequest): RowPage<KeyViewEntry> => {
      requireLimit(page.limit);
      const at = now.getTime();
      const [pass, ...rest] = page.cursor ? decodeRotationCursor(page.cursor) : ['p', FAR_PAST, '', ''];
      let [n, t, k] = rest;
      const items: (Row & { tenant_id: string; key_id: string; sort: number; pass: string })[] = [];
      if (pass === 'p') {
        items.push(
          ...(this.stmt(
            "SELECT body, tenant_id, key_id, due_at AS sort, 'p' AS pass FROM rm_keys INDEXED BY rm_keys_due WHERE status = 'Enabled' AND due_at <= ? AND (due_at, tenant_id, key_id) > (?, ?, ?) ORDER BY due_at, tenant_id, key_id LIMIT ?",
          ).all(at, n, t, k, page.limit + 1) as never[]),
        );
        [n, t, k] = [FAR_PAST, '', ''];
      }
      if (maxAgeDays !== undefined && items.length <= page.limit) {
        items.push(
          ...(this.stmt(
            "SELECT body, tenant_id, key_id, last_rotated_at AS sort, 'q' AS pass FROM rm_keys INDEXED BY rm_keys_rotated WHERE status = 'Enabled' AND last_rotated_at <= ? AND due_at > ? AND (last_rotated_at, tenant_id, key_id) > (?, ?, ?) ORDER BY last_rotated_at, tenant_id, key_id LIMIT ?",
          ).all(at - maxAgeDays * MS_PER_DAY, at, n, t, k, page.limit + 1 - items.length) as never[]),
        );
      }
      return this.paged(items, page.limit, (r) => [r.pass, r.sort, r.tenant_id, r.key_id]);
    },
    overdueCount: (now: Date, maxAgeDays: number | undefined, overdueAfterDays = 1): number => {
      const latest = now.getTime() - overdueAfterDays * MS_PER_DAY;
      const byPeriod = (this.stmt("SELECT COUNT(*) AS n FROM rm_keys INDEXED BY rm_keys_due WHERE status = 'Enabled' AND due_at <= ?").get(latest) as { n: number }).n;
      if (maxAgeDays === undefined) return byPeriod;
      const byAge = this.stmt("SELECT COUNT(*) AS n FROM rm_keys INDEXED BY rm_keys_rotated WHERE status = 'Enabled' AND last_rotated_at <= ? AND due_at > ?").get(latest - maxAgeDays * MS_PER_DAY, latest) as { n: number };
      return byPeriod + byAge.n;
    },
    enabledRotatedBefore: (before: Date, page: PageRequest): RowPage<KeyViewEntry> => {
      requireLimit(page.limit);
      const [n, t, k] = page.cursor ? decodeCursor(page.cursor, 'nss') : [FAR_PAST, '', ''];
      const rows = this.stmt(
        "SELECT body, tenant_id, key_id, last_rotated_at FROM rm_keys INDEXED BY rm_keys_rotated WHERE status = 'Enabled' AND last_rotated_at <= ? AND (last_rotated_at, tenant_id, key_id) > (?, ?, ?) ORDER BY last_rotated_at, tenant_id, key_id LIMIT ?",
      ).all(before.getTime(), n, t, k, page.limit + 1) as (Row & { tenant_id: string; key_id: string; last_rotated_at: number })[];
      return this.paged(rows, page.limit, (r) => [r.last_rotated_at, r.tenant_id, r.key_id]);
    },
    recentlyRotated: (limit: number): readonly KeyViewEntry[] =>
      (this.stmt("SELECT body FROM rm_keys INDEXED BY rm_keys_rotated WHERE status = 'Enabled' AND mode = 'wrapped' ORDER BY last_rotated_at DESC, tenant_id DESC, key_id DESC LIMIT ?").all(requireLimit(limit, 0)) as Row[]).map(parse<KeyViewEntry>),
    deletionDue: (now: Date, page: PageRequest): RowPage<KeyViewEntry> => {
      requireLimit(page.limit);
      const [n, t, k] = page.cursor ? decodeCursor(page.cursor, 'nss') : [FAR_PAST, '', ''];
      const rows = this.stmt(
        "SELECT body, tenant_id, key_id, delete_after FROM rm_keys INDEXED BY rm_keys_deletion WHERE status = 'PendingDeletion' AND delete_after <= ? AND (delete_after, tenant_id, key_id) > (?, ?, ?) ORDER BY delete_after, tenant_id, key_id LIMIT ?",
      ).all(now.getTime(), n, t, k, page.limit + 1) as (Row & { tenant_id: string; key_id: string; delete_after: number })[];
      return this.paged(rows, page.limit, (r) => [r.delete_after, r.tenant_id, r.key_id]);
    },
    trimDue: (page: PageRequest): RowPage<KeyViewEntry> => {
      requireLimit(page.limit);
      const [t, k] = page.cursor ? decodeCursor(page.cursor, 'ss') : ['', ''];
      const rows = this.stmt('SELECT body, tenant_id, key_id FROM rm_keys INDEXED BY rm_keys_trim WHERE trim_due = 1 AND (tenant_id, key_id) > (?, ?) ORDER BY tenant_id, key_id LIMIT ?').all(t, k, page.limit + 1) as (Row & { tenant_id: string; key_id: string })[];
      return this.paged(rows, page.limit, (r) => [r.tenant_id, r.key_id]);
    },
    withStatus: (status: KeyStatus, page: PageRequest): RowPage<KeyViewEntry> => {
      requireLimit(page.limit);
      const [t, k] = page.cursor ? decodeCursor(page.cursor, 'ss') : ['', ''];
      const rows = this.stmt('SELECT body, tenant_id, key_id FROM rm_keys WHERE status = ? AND (tenant_id, key_id) > (?, ?) ORDER BY tenant_id, key_id LIMIT ?').all(status, t, k, page.limit + 1) as (Row & { tenant_id: string; key_id: string })[];
      return this.paged(rows, page.limit, (r) => [r.tenant_id, r.key_id]);
    },
    counts: (): KeyCounts => {
      const rows = this.stmt("SELECT name, value FROM rm_counters WHERE name LIKE 'keys.%'").all() as { name: string; value: number }[];
      const value = new Map(rows.map((r) => [r.name, r.value]));
      const byStatus = Object.fromEntries(KEY_STATUSES.map((s) => [s, value.get(KEY_COUNTERS.status(s)) ?? 0])) as Record<KeyStatus, number>;
      return { total: value.get(KEY_COUNTERS.total) ?? 0, byStatus };
    },
  };

  readonly signers = {
    get: (kid: string): SignerEntry | undefined => this.cached('signers', kid),
    activeBreakGlass: (): readonly SignerEntry[] =>
      (this.stmt("SELECT body FROM rm_signers WHERE owner_kind = 'break-glass' AND status = 'Active' ORDER BY id").all() as Row[]).map(parse<SignerEntry>),
    keysNeedingSigners: (page: PageRequest): RowPage<KeyViewEntry> => {
      requireLimit(page.limit);
      const [t, k] = page.cursor ? decodeCursor(page.cursor, 'ss') : ['', ''];
      const rows = this.stmt(
        `SELECT k.body, k.tenant_id, k.key_id FROM rm_keys k WHERE k.purpose = 'sign' AND (k.tenant_id, k.key_id) > (?, ?) AND (
           (k.status <> 'Destroyed' AND k.version_count > (SELECT COUNT(*) FROM rm_signers s WHERE s.owner_kind = 'key-version' AND s.tenant_id = k.tenant_id AND s.key_id = k.key_id))
           OR (k.status = 'Destroyed' AND EXISTS (SELECT 1 FROM rm_signers s WHERE s.owner_kind = 'key-version' AND s.tenant_id = k.tenant_id AND s.key_id = k.key_id AND s.status <> 'Retired')))
         ORDER BY k.tenant_id, k.key_id LIMIT ?`,
      ).all(t, k, page.limit + 1) as (Row & { tenant_id: string; key_id: string })[];
      return this.paged(rows, page.limit, (r) => [r.tenant_id, r.key_id]);
    },
  };

  readonly sessions = {
    get: (sessionId: string): BreakGlassViewEntry | undefined => this.cached('sessions', sessionId),
    withStatus: (status: BreakGlassViewEntry['status'], page: PageRequest): RowPage<BreakGlassViewEntry> => {
      requireLimit(page.limit);
      const [after] = page.cursor ? decodeCursor(page.cursor, 's') : [''];
      const rows = this.stmt('SELECT body, id FROM rm_sessions WHERE status = ? AND id > ? ORDER BY id LIMIT ?').all(status, after, page.limit + 1) as (Row & { id: string })[];
      return this.paged(rows, page.limit, (r) => [r.id]);
    },
    dueForExpiry: (now: Date, limit: number): readonly BreakGlassViewEntry[] =>
      (this.stmt("SELECT body FROM rm_sessions WHERE status IN ('Active', 'KeyLost') AND expires_at <= ? ORDER BY id LIMIT ?").all(now.getTime(), requireLimit(limit, 0)) as Row[]).map(parse<BreakGlassViewEntry>),
    requestedBefore: (cutoff: Date, limit: number): readonly BreakGlassViewEntry[] =>
      (this.stmt("SELECT body FROM rm_sessions INDEXED BY rm_sessions_expiry WHERE status = 'Requested' AND expires_at <= ? ORDER BY expires_at, id LIMIT ?").all(cutoff.getTime(), requireLimit(limit, 0)) as Row[]).map(parse<BreakGlassViewEntry>),
    awaitingKeyDestruction: (limit: number): readonly BreakGlassViewEntry[] =>
      (this.stmt('SELECT body FROM rm_sessions WHERE awaiting_destruction = 1 ORDER BY id LIMIT ?').all(requireLimit(limit, 0)) as Row[]).map(parse<BreakGlassViewEntry>),
    activeCount: (): number => (this.stmt("SELECT COUNT(*) AS n FROM rm_sessions WHERE status IN ('Active', 'KeyLost')").get() as { n: number }).n,
  };

  readonly breakers = {
    get: (name: string, instance: string): BreakerViewEntry | undefined => this.cached('breakers', breakerRowId(name, instance)),
    outOf: (names: readonly string[]): readonly BreakerViewEntry[] =>
      [...new Set(names)].flatMap((name) => (this.stmt("SELECT body FROM rm_breakers WHERE name = ? AND state <> 'closed' ORDER BY id").all(name) as Row[]).map(parse<BreakerViewEntry>)),
  };

  readonly freeze = {
    get: (scopeKey: string): SigningFreezeViewEntry | undefined => this.cached('freeze', scopeKey),
  };

  private cached<T extends ReadModelTableName>(table: T, id: string): ReadModelRows[T] | undefined {
    const cache = this.caches[table] as LRUCache<string, ReadModelRows[T] | typeof NONE>;
    const hit = cache.get(id);
    if (hit !== undefined) return hit === NONE ? undefined : hit;
    const row = this.readRow(table, id);
    cache.set(id, row ?? NONE);
    return row;
  }

  private readRow<T extends ReadModelTableName>(table: T, id: string): ReadModelRows[T] | undefined {
    const row = this.stmt(`SELECT body FROM ${TABLE_OF[table]} WHERE id = ?`).get(id) as Row | undefined;
    return row ? parse<ReadModelRows[T]>(row) : undefined;
  }

  private writeRows<T extends ReadModelTableName>(table: T, rows: Map<string, ReadModelRows[T]>): void {
    if (rows.size === 0) return;
    for (const [id, entry] of rows) {
      const columns = (COLUMNS[table] as (e: ReadModelRows[T]) => Bind)(entry);
      const names = Object.keys(columns);
      const sql = `INSERT OR REPLACE INTO ${TABLE_OF[table]} (id, body${names.map((n) => `, ${n}`).join('')}) VALUES (@id, @body${names.map((n) => `, @${n}`).join('')})`;
      this.stmt(sql).run({ id, body: JSON.stringify(entry), ...columns });
    }
  }

  private paged<R extends Row, T>(rows: readonly R[], limit: number, keyOf: (row: R) => SortKey): RowPage<T> {
    const items = rows.slice(0, limit);
    const next = rows.length > limit && items.length > 0 ? encodeCursor(keyOf(items[items.length - 1])) : null;
    return { items: items.map(parse<T>), next };
  }

  private stmt(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) this.statements.set(sql, (statement = this.db.prepare(sql)));
    return statement;
  }
}

function parse<T>(row: Row): T {
  return JSON.parse(row.body) as T;
}
