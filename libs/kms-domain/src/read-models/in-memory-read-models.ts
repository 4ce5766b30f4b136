import type { KeyStatus } from '../key/key-state';
import type { BreakGlassViewEntry } from '../projections/break-glass-view';
import type { KeyViewEntry } from '../projections/keys-view';
import type { ProjectedEvent } from '../projections/projection';
import type { KeyCounts, PageRequest, ReadModels, RowPage } from '../ports/read-models';
import { MS_PER_DAY } from '../shared/time';
import { KEY_COUNTERS, READ_MODEL_TABLE_NAMES, breakerRowId, foldPage, keyRowId, type ReadModelRows, type ReadModelTableName } from './read-model-tables';
import { compareKeys, decodeCursor, decodeRotationCursor, deleteAfterMs, encodeCursor, isTrimDue, lastRotatedMs, needsSigners, requireLimit, rotationDueMs, type SortKey } from './row-order';

const KEY_STATUSES: readonly KeyStatus[] = ['Enabled', 'Disabled', 'PendingDeletion', 'Destroyed'];

/** Rows sorted by `keyOf`, the page after `cursor` (a cursor of shape `kinds`, or read by a decoder of its own). */
function pageOf<T>(rows: Iterable<T>, keyOf: (row: T) => SortKey, kinds: string | ((cursor: string) => SortKey), page: PageRequest): RowPage<T> {
  requireLimit(page.limit);
  const after = page.cursor ? (typeof kinds === 'string' ? decodeCursor(page.cursor, kinds) : kinds(page.cursor)) : null;
  const sorted = [...rows].map((row) => ({ row, key: keyOf(row) })).filter((r) => after === null || compareKeys(r.key, after) > 0);
  sorted.sort((a, b) => compareKeys(a.key, b.key));
  const items = sorted.slice(0, page.limit);
  const more = sorted.length > page.limit && items.length > 0;
  return { items: items.map((r) => r.row), next: more ? encodeCursor(items[items.length - 1].key) : null };
}

const byId = (key: KeyViewEntry): SortKey => [key.tenantId, key.keyId];

/**
 * The read models in process memory: the same rules and answers as the SQLite adapter (one
 * contract suite runs against both), answering queries by scanning. For unit tests and tools
 * that fold a few events; never for a service, whose memory must not grow with the data.
 */
export class InMemoryReadModels implements ReadModels {
  private rows = emptyRows();
  private counters = new Map<string, number>();
  private applied = 0;

  position(): number {
    return this.applied;
  }

  apply(page: readonly ProjectedEvent[]): void {
    const folded = foldPage(page, this.applied, (table, id) => this.rows[table].get(id) as never);
    for (const table of READ_MODEL_TABLE_NAMES) for (const [id, row] of folded.rows[table]) (this.rows[table] as Map<string, unknown>).set(id, row);
    for (const [name, delta] of folded.counters) this.counters.set(name, (this.counters.get(name) ?? 0) + delta);
    if (folded.position !== null) this.applied = folded.position;
  }

  reset(): void {
    this.rows = emptyRows();
    this.counters = new Map();
    this.applied = 0;
  }

  close(): void {
    // Nothing to release.
  }

  private allKeys(): KeyViewEntry[] {
    return [...this.rows.keys.values()];
  }

  readonly keys = {
    get: (tenantId: string, keyId: string) => this.rows.keys.get(keyRowId(tenantId, keyId)),
    tenantOf: (keyId: string) => this.allKeys().find((k) => k.keyId === keyId)?.tenantId,
    listTenant: (tenantId: string, page: PageRequest) => pageOf(this.allKeys().filter((k) => k.tenantId === tenantId), (k) => [k.keyId], 's', page),
    dueForRotation: (now: Date, maxAgeDays: number | undefined, page: PageRequest): RowPage<KeyViewEntry> => {
      const cutoff = maxAgeDays === undefined ? null : now.getTime() - maxAgeDays * MS_PER_DAY;
      const enabled = this.allKeys().filter((k) => k.status === 'Enabled');
      const byPeriod = enabled.filter((k) => rotationDueMs(k) <= now.getTime()).map((k) => ({ k, key: ['p', rotationDueMs(k), k.tenantId, k.keyId] as SortKey }));
      const byAge = cutoff === null ? [] : enabled.filter((k) => rotationDueMs(k) > now.getTime() && lastRotatedMs(k) <= cutoff).map((k) => ({ k, key: ['q', lastRotatedMs(k), k.tenantId, k.keyId] as SortKey }));
      const result = pageOf([...byPeriod, ...byAge], (r) => r.key, decodeRotationCursor, page);
      return { items: result.items.map((r) => r.k), next: result.next };
    },
    overdueCount: (now: Date, maxAgeDays: number | undefined, overdueAfterDays = 1) => {
      const graceMs = overdueAfterDays * MS_PER_DAY;
      return this.allKeys().filter(
        (k) => k.status === 'Enabled' && (rotationDueMs(k) + graceMs <= now.getTime() || (maxAgeDays !== undefined && lastRotatedMs(k) + maxAgeDays * MS_PER_DAY + graceMs <= now.getTime())),
      ).length;
    },
    enabledRotatedBefore: (before: Date, page: PageRequest) =>
      pageOf(this.allKeys().filter((k) => k.status === 'Enabled' && lastRotatedMs(k) <= before.getTime()), (k) => [lastRotatedMs(k), k.tenantId, k.keyId], 'nss', page),
    recentlyRotated: (limit: number) =>
      this.allKeys()
        .filter((k) => k.status === 'Enabled' && k.mode === 'wrapped')
        .sort((a, b) => compareKeys([lastRotatedMs(b), b.tenantId, b.keyId], [lastRotatedMs(a), a.tenantId, a.keyId]))
        .slice(0, requireLimit(limit, 0)),
    deletionDue: (now: Date, page: PageRequest) =>
      pageOf(this.allKeys().filter((k) => (deleteAfterMs(k) ?? Infinity) <= now.getTime()), (k) => [deleteAfterMs(k) ?? 0, k.tenantId, k.keyId], 'nss', page),
    trimDue: (page: PageRequest) => pageOf(this.allKeys().filter(isTrimDue), byId, 'ss', page),
    withStatus: (status: KeyStatus, page: PageRequest) => pageOf(this.allKeys().filter((k) => k.status === status), byId, 'ss', page),
    counts: (): KeyCounts => {
      const byStatus = Object.fromEntries(KEY_STATUSES.map((s) => [s, this.counters.get(KEY_COUNTERS.status(s)) ?? 0])) as Record<KeyStatus, number>;
      return { total: this.counters.get(KEY_COUNTERS.total) ?? 0, byStatus };
    },
  };

  readonly signers = {
    get: (kid: string) => this.rows.signers.get(kid),
    activeBreakGlass: () => [...this.rows.signers.values()].filter((s) => s.owner.kind === 'break-glass' && s.status !== 'Retired').sort((a, b) => (a.kid < b.kid ? -1 : 1)),
    keysNeedingSigners: (page: PageRequest) => {
      const signers = [...this.rows.signers.values()];
      const lagging = this.allKeys().filter((k) => {
        const own = signers.filter((s) => s.owner.kind === 'key-version' && s.owner.tenantId === k.tenantId && s.owner.keyId === k.keyId);
        return needsSigners(k, own.length, own.filter((s) => s.status === 'Retired').length);
      });
      return pageOf(lagging, byId, 'ss', page);
    },
  };

  readonly sessions = {
    get: (sessionId: string) => this.rows.sessions.get(sessionId),
    withStatus: (status: BreakGlassViewEntry['status'], page: PageRequest) =>
      pageOf([...this.rows.sessions.values()].filter((s) => s.status === status), (s) => [s.sessionId], 's', page),
    dueForExpiry: (now: Date, limit: number) =>
      [...this.rows.sessions.values()]
        .filter((s) => (s.status === 'Active' || s.status === 'KeyLost') && Date.parse(s.expiresAt) <= now.getTime())
        .sort((a, b) => (a.sessionId < b.sessionId ? -1 : 1))
        .slice(0, requireLimit(limit, 0)),
    requestedBefore: (cutoff: Date, limit: number) =>
      [...this.rows.sessions.values()]
        .filter((s) => s.status === 'Requested' && Date.parse(s.requestedAt) <= cutoff.getTime())
        .sort((a, b) => Date.parse(a.requestedAt) - Date.parse(b.requestedAt) || (a.sessionId < b.sessionId ? -1 : 1))
        .slice(0, requireLimit(limit, 0)),
    awaitingKeyDestruction: (limit: number) =>
      [...this.rows.sessions.values()]
        .filter((s) => s.status === 'Ended' && s.issued !== null)
        .sort((a, b) => (a.sessionId < b.sessionId ? -1 : 1))
        .slice(0, requireLimit(limit, 0)),
    activeCount: () => [...this.rows.sessions.values()].filter((s) => s.status === 'Active' || s.status === 'KeyLost').length,
  };

  readonly breakers = {
    get: (name: string, instance: string) => this.rows.breakers.get(breakerRowId(name, instance)),
    outOf: (names: readonly string[]) =>
      [...new Set(names)].flatMap((name) =>
        [...this.rows.breakers.values()].filter((b) => b.name === name && b.state !== 'closed').sort((a, b) => (a.instance < b.instance ? -1 : 1)),
      ),
  };

  readonly freeze = {
    get: (scopeKey: string) => this.rows.freeze.get(scopeKey),
  };
}

function emptyRows(): { [T in ReadModelTableName]: Map<string, ReadModelRows[T]> } {
  return { keys: new Map(), signers: new Map(), sessions: new Map(), breakers: new Map(), freeze: new Map() };
}

