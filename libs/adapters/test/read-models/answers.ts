import type { BreakGlassViewEntry, KeyStatus, PageRequest, ProjectedEvent, ReadModels, RowPage, Scope } from '@keyledger/kms-domain';
import { at } from './events';

/** Every page of a paged query, walked with `limit` rows a page: the items of each page, in order. */
export function walk<T>(query: (page: PageRequest) => RowPage<T>, limit: number): T[][] {
  const pages: T[][] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 10_000; i++) {
    const page: RowPage<T> = query({ limit, cursor });
    pages.push([...page.items]);
    if (page.next === null) return pages;
    expect(page.items).toHaveLength(limit);
    cursor = page.next;
  }
  throw new Error('paging did not end');
}

/** The ids a history mentions: what a snapshot asks the read models about. */
export interface Probe {
  readonly tenants: string[];
  readonly keys: { tenantId: string; keyId: string }[];
  readonly kids: string[];
  readonly sessions: string[];
  readonly breakers: { name: string; instance: string }[];
  readonly scopes: string[];
  readonly lastDay: number;
}

export function probeOf(events: readonly ProjectedEvent[]): Probe {
  const tenants = new Set<string>(['nobody']);
  const keys = new Map<string, { tenantId: string; keyId: string }>([['nobody:missing', { tenantId: 'nobody', keyId: 'missing' }]]);
  const kids = new Set<string>(['kid-missing']);
  const sessions = new Set<string>(['bg-missing']);
  const breakers = new Map<string, { name: string; instance: string }>([['missing/none', { name: 'missing', instance: 'none' }]]);
  const scopes = new Set<string>(['global', 'tenant:nobody']);
  let last = 0;
  for (const { event } of events) {
    const data = event.data as Record<string, unknown>;
    if (typeof data.tenantId === 'string' && typeof data.keyId === 'string') {
      tenants.add(data.tenantId);
      keys.set(`${data.tenantId}:${data.keyId}`, { tenantId: data.tenantId, keyId: data.keyId });
    }
    if (typeof data.kid === 'string') kids.add(data.kid);
    if (typeof data.sessionId === 'string') sessions.add(data.sessionId);
    if (typeof data.name === 'string' && typeof data.instance === 'string') breakers.set(`${data.name}/${data.instance}`, { name: data.name, instance: data.instance });
    const scope = data.scope as Scope | undefined;
    if (scope && (event.type === 'SigningFrozen' || event.type === 'SigningResumed')) scopes.add(scope.kind === 'global' ? 'global' : `tenant:${scope.tenantId}`);
    for (const value of Object.values(data)) if (typeof value === 'string' && /^\d{4}-\d\d-\d\dT/.test(value)) last = Math.max(last, Date.parse(value));
  }
  const lastDay = Math.ceil((last - at(0).getTime()) / 86_400_000);
  return { tenants: [...tenants], keys: [...keys.values()], kids: [...kids], sessions: [...sessions], breakers: [...breakers.values()], scopes: [...scopes], lastDay };
}

const KEY_STATUSES: readonly KeyStatus[] = ['Enabled', 'Disabled', 'PendingDeletion', 'Destroyed'];
const SESSION_STATUSES: readonly BreakGlassViewEntry['status'][] = ['Requested', 'Active', 'KeyLost', 'Ended', 'KeyDestroyed'];

/**
 * Everything the read models answer about a probe, as one plain value: two read models hold the
 * same state exactly when their snapshots are equal. Paged queries are walked with `limit`.
 */
export function snapshot(models: ReadModels, probe: Probe, limit = 3): Record<string, unknown> {
  const days = [0, Math.floor(probe.lastDay / 3), Math.floor(probe.lastDay / 2), probe.lastDay, probe.lastDay + 40, probe.lastDay + 400];
  const k = models.keys;
  return {
    position: models.position(),
    counts: k.counts(),
    keys: probe.keys.map(({ tenantId, keyId }) => [k.get(tenantId, keyId) ?? null, k.tenantOf(keyId) ?? null]),
    listTenant: probe.tenants.map((t) => walk((p) => k.listTenant(t, p), limit)),
    byDay: days.map((d) => ({
      due: walk((p) => k.dueForRotation(at(d), undefined, p), limit),
      dueMaxAge: walk((p) => k.dueForRotation(at(d), 20, p), limit),
      overdue: [k.overdueCount(at(d), undefined), k.overdueCount(at(d), 20), k.overdueCount(at(d), 20, 5)],
      rotatedBefore: walk((p) => k.enabledRotatedBefore(at(d), p), limit),
      deletionDue: walk((p) => k.deletionDue(at(d), p), limit),
      sessionsDue: models.sessions.dueForExpiry(at(d), 1000),
    })),
    recentlyRotated: [k.recentlyRotated(0), k.recentlyRotated(4), k.recentlyRotated(10_000)],
    withStatus: KEY_STATUSES.map((s) => walk((p) => k.withStatus(s, p), limit)),
    signers: probe.kids.map((kid) => models.signers.get(kid) ?? null),
    activeBreakGlass: models.signers.activeBreakGlass(),
    keysNeedingSigners: walk((p) => models.signers.keysNeedingSigners(p), limit),
    sessions: probe.sessions.map((id) => models.sessions.get(id) ?? null),
    sessionsWithStatus: SESSION_STATUSES.map((s) => walk((p) => models.sessions.withStatus(s, p), limit)),
    awaiting: [models.sessions.awaitingKeyDestruction(1), models.sessions.awaitingKeyDestruction(1000)],
    activeCount: models.sessions.activeCount(),
    breakers: probe.breakers.map(({ name, instance }) => models.breakers.get(name, instance) ?? null),
    outOf: [models.breakers.outOf(['kms-signing-key']), models.breakers.outOf(['eventstore', 'kms-signing-key']), models.breakers.outOf([])],
    freeze: probe.scopes.map((s) => models.freeze.get(s) ?? null),
  };
}
