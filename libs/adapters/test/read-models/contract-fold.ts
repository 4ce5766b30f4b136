import type { KeyViewEntry, RowPage } from '@keyledger/kms-domain';
import type { Fresh } from './contract';
import { at, ev, Feed, iso } from './events';

const ids = (page: RowPage<KeyViewEntry> | readonly KeyViewEntry[]): string[] => ('items' in page ? page.items : page).map((k) => `${k.tenantId}/${k.keyId}`);
const all = { limit: 1000 };

/** The fold of every event family, one behaviour per test, from events in to query answers out. */
export function foldContract(fresh: Fresh): void {
  describe('keys', () => {
    it('folds a key with its versions, primary, last rotation and reason; tenantOf finds its tenant', () => {
      const m = fresh();
      const feed = new Feed();
      m.apply(feed.page(ev.created('acme', 'k1', 0, { rotationPeriodDays: 30 }), ev.rotated('acme', 'k1', 2, 10, 'manual')));
      expect(m.keys.get('acme', 'k1')).toMatchObject({
        tenantId: 'acme',
        keyId: 'k1',
        status: 'Enabled',
        purpose: 'sign',
        mode: 'wrapped',
        rotationPeriodDays: 30,
        versions: [
          { version: 1, createdAt: iso(0) },
          { version: 2, createdAt: iso(10) },
        ],
        primaryVersion: 2,
        minDecryptionVersion: 1,
        createdAt: iso(0),
        lastRotatedAt: iso(10),
        lastRotationReason: 'manual',
      });
      expect(m.keys.tenantOf('k1')).toBe('acme');
      expect(m.keys.tenantOf('unknown')).toBeUndefined();
      expect(m.keys.get('globex', 'k1')).toBeUndefined();
    });

    it('folds the lifecycle: disable, enable, schedule and cancel deletion, destroy; period and min version changes; a failed rotation changes nothing', () => {
      const m = fresh();
      const feed = new Feed();
      m.apply(feed.page(ev.created('acme', 'k1', 0), ev.rotated('acme', 'k1', 2, 1)));
      const before = m.keys.get('acme', 'k1');
      m.apply(feed.page(ev.rotationFailed('acme', 'k1', 2, 2)));
      expect(m.keys.get('acme', 'k1')).toEqual(before);
      m.apply(feed.page(ev.periodChanged('acme', 'k1', 7, 3), ev.minDecryption('acme', 'k1', 2, 3)));
      expect(m.keys.get('acme', 'k1')).toMatchObject({ rotationPeriodDays: 7, minDecryptionVersion: 2, status: 'Enabled' });
      m.apply(feed.page(ev.disabled('acme', 'k1', 4)));
      expect(m.keys.get('acme', 'k1')?.status).toBe('Disabled');
      m.apply(feed.page(ev.enabled('acme', 'k1', 5), ev.deletionScheduled('acme', 'k1', 6, 7)));
      expect(m.keys.get('acme', 'k1')).toMatchObject({ status: 'PendingDeletion', deleteAfter: iso(13) });
      m.apply(feed.page(ev.deletionCancelled('acme', 'k1', 7)));
      expect(m.keys.get('acme', 'k1')?.status).toBe('Disabled');
      m.apply(feed.page(ev.deletionScheduled('acme', 'k1', 8, 7), ev.destroyed('acme', 'k1', 15)));
      expect(m.keys.get('acme', 'k1')).toMatchObject({ status: 'Destroyed', destroyedAt: iso(15), versions: [{ version: 1 }, { version: 2 }] });
    });

    it('ignores lifecycle events of a key it never saw created', () => {
      const m = fresh();
      m.apply(new Feed().page(ev.rotated('acme', 'ghost', 2, 1), ev.disabled('acme', 'ghost', 2)));
      expect(m.keys.get('acme', 'ghost')).toBeUndefined();
      expect(m.keys.tenantOf('ghost')).toBeUndefined();
      expect(m.keys.counts()).toEqual({ total: 0, byStatus: { Enabled: 0, Disabled: 0, PendingDeletion: 0, Destroyed: 0 } });
      expect(m.position()).toBe(2);
    });

    it('keeps the counts by status as keys move between statuses (KEY_COUNTERS), within one page and across pages', () => {
      const m = fresh();
      const feed = new Feed();
      expect(m.keys.counts()).toEqual({ total: 0, byStatus: { Enabled: 0, Disabled: 0, PendingDeletion: 0, Destroyed: 0 } });
      m.apply(feed.page(ev.created('acme', 'a', 0), ev.created('acme', 'b', 0), ev.created('globex', 'c', 0), ev.disabled('acme', 'b', 1), ev.rotated('acme', 'a', 2, 1)));
      expect(m.keys.counts()).toEqual({ total: 3, byStatus: { Enabled: 2, Disabled: 1, PendingDeletion: 0, Destroyed: 0 } });
      m.apply(feed.page(ev.deletionScheduled('acme', 'b', 2)));
      m.apply(feed.page(ev.destroyed('acme', 'b', 9), ev.deletionScheduled('globex', 'c', 9)));
      expect(m.keys.counts()).toEqual({ total: 3, byStatus: { Enabled: 1, Disabled: 0, PendingDeletion: 1, Destroyed: 1 } });
    });

    it('answers rotation due by due time (period first, then by age past maxAgeDays); a rotated or disabled key leaves the set', () => {
      const m = fresh();
      const feed = new Feed();
      m.apply(
        feed.page(
          ev.created('acme', 'p30-day0', 0, { rotationPeriodDays: 30 }),
          ev.created('globex', 'p30-day10', 10, { rotationPeriodDays: 30 }),
          ev.created('acme', 'p30-day20', 20, { rotationPeriodDays: 30 }),
          ev.created('acme', 'p90-day0', 0, { rotationPeriodDays: 90 }),
          ev.created('acme', 'p90-day5', 5, { rotationPeriodDays: 90 }),
          ev.created('acme', 'disabled', 0, { rotationPeriodDays: 30 }),
          ev.disabled('acme', 'disabled', 1),
        ),
      );
      const now = at(40);
      expect(ids(m.keys.dueForRotation(now, undefined, all))).toEqual(['acme/p30-day0', 'globex/p30-day10']);
      expect(ids(m.keys.dueForRotation(now, 35, all))).toEqual(['acme/p30-day0', 'globex/p30-day10', 'acme/p90-day0', 'acme/p90-day5']);
      expect(ids(m.keys.dueForRotation(now, 38, all))).toEqual(['acme/p30-day0', 'globex/p30-day10', 'acme/p90-day0']);
      expect(ids(m.keys.dueForRotation(at(29), undefined, all))).toEqual([]);
      // Due exactly at its due time.
      expect(ids(m.keys.dueForRotation(at(30), undefined, all))).toEqual(['acme/p30-day0']);
      m.apply(feed.page(ev.rotated('acme', 'p30-day0', 2, 39), ev.disabled('acme', 'p90-day0', 39)));
      expect(ids(m.keys.dueForRotation(now, 35, all))).toEqual(['globex/p30-day10', 'acme/p90-day5']);
      // A shorter period makes a key due at once.
      m.apply(feed.page(ev.periodChanged('acme', 'p30-day20', 7, 40)));
      expect(ids(m.keys.dueForRotation(now, undefined, all))).toEqual(['acme/p30-day20', 'globex/p30-day10']);
    });

    it('pages rotation candidates in the same order at any limit, across the period and age passes', () => {
      const m = fresh();
      const feed = new Feed();
      for (let i = 0; i < 7; i++) m.apply(feed.page(ev.created(`t${i % 3}`, `k${i}`, i, { rotationPeriodDays: i % 2 === 0 ? 10 : 365 })));
      const now = at(30);
      const whole = ids(m.keys.dueForRotation(now, 25, all));
      expect(whole).toEqual(['t0/k0', 't2/k2', 't1/k4', 't0/k6', 't1/k1', 't0/k3', 't2/k5']);
      for (const limit of [1, 2, 3, 4, 7]) {
        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const page: RowPage<KeyViewEntry> = m.keys.dueForRotation(now, 25, { limit, cursor });
          expect(page.items.length).toBeLessThanOrEqual(limit);
          seen.push(...ids(page));
          cursor = page.next;
        } while (cursor !== null);
        expect(seen).toEqual(whole);
      }
      expect(m.keys.dueForRotation(now, 25, { limit: 7 }).next).toBeNull();
    });

    it('counts overdue keys past the grace period, by period and by age', () => {
      const m = fresh();
      m.apply(new Feed().page(ev.created('acme', 'a', 0, { rotationPeriodDays: 10 }), ev.created('acme', 'b', 0, { rotationPeriodDays: 90 }), ev.created('acme', 'c', 0, { rotationPeriodDays: 10 }), ev.disabled('acme', 'c', 0)));
      expect(m.keys.overdueCount(at(10.5), undefined)).toBe(0);
      expect(m.keys.overdueCount(at(11), undefined)).toBe(1);
      expect(m.keys.overdueCount(at(11), 5)).toBe(2);
      expect(m.keys.overdueCount(at(11), 5, 7)).toBe(0);
      // Age counts whatever the period: at day 12 key a is 5 + 7 days old, though its period (10 + 7) has not run out.
      expect(m.keys.overdueCount(at(12), 5, 7)).toBe(2);
      expect(m.keys.overdueCount(at(12), 60, 7)).toBe(0);
      expect(m.keys.overdueCount(at(17), 60, 7)).toBe(1);
    });

    it('lists enabled keys rotated before a time oldest first, and recently rotated wrapped keys newest first', () => {
      const m = fresh();
      m.apply(
        new Feed().page(
          ev.created('acme', 'old', 0),
          ev.created('acme', 'mid', 5),
          ev.created('globex', 'new', 10),
          ev.created('acme', 'resident', 7, { mode: 'provider-resident' }),
          ev.created('acme', 'off', 1),
          ev.disabled('acme', 'off', 2),
          ev.rotated('acme', 'old', 2, 12),
        ),
      );
      expect(ids(m.keys.enabledRotatedBefore(at(10), all))).toEqual(['acme/mid', 'acme/resident', 'globex/new']);
      expect(ids(m.keys.enabledRotatedBefore(at(9), { limit: 1 }))).toEqual(['acme/mid']);
      expect(ids(m.keys.recentlyRotated(10))).toEqual(['acme/old', 'globex/new', 'acme/mid']);
      expect(ids(m.keys.recentlyRotated(2))).toEqual(['acme/old', 'globex/new']);
      expect(m.keys.recentlyRotated(0)).toEqual([]);
    });

    it('lists pending-deletion keys once their window has passed, by deletion time', () => {
      const m = fresh();
      const feed = new Feed();
      m.apply(feed.page(ev.created('acme', 'a', 0), ev.created('acme', 'b', 0), ev.created('globex', 'c', 0), ev.created('acme', 'd', 0)));
      m.apply(feed.page(ev.deletionScheduled('acme', 'b', 1, 7), ev.deletionScheduled('acme', 'a', 2, 7), ev.deletionScheduled('globex', 'c', 1, 30)));
      expect(ids(m.keys.deletionDue(at(7), all))).toEqual([]);
      expect(ids(m.keys.deletionDue(at(8), all))).toEqual(['acme/b']);
      expect(ids(m.keys.deletionDue(at(100), all))).toEqual(['acme/b', 'acme/a', 'globex/c']);
      m.apply(feed.page(ev.deletionCancelled('acme', 'b', 20), ev.destroyed('acme', 'a', 20)));
      expect(ids(m.keys.deletionDue(at(100), all))).toEqual(['globex/c']);
    });

    it('lists only the keys whose retainVersions asks for a trim, until trimmed', () => {
      const m = fresh();
      const feed = new Feed();
      m.apply(feed.page(ev.created('acme', 'a', 0), ev.rotated('acme', 'a', 2, 1), ev.rotated('acme', 'a', 3, 2), ev.created('acme', 'b', 0), ev.rotated('acme', 'b', 2, 1)));
      expect(ids(m.keys.trimDue(all))).toEqual([]);
      m.apply(feed.page(ev.retain('acme', 'a', 1, 3), ev.retain('acme', 'b', 1, 3)));
      // minDecryptionVersion 1 holds every version: nothing is due yet.
      expect(ids(m.keys.trimDue(all))).toEqual([]);
      m.apply(feed.page(ev.minDecryption('acme', 'a', 3, 4), ev.minDecryption('acme', 'b', 2, 4)));
      expect(ids(m.keys.trimDue(all))).toEqual(['acme/a', 'acme/b']);
      expect(ids(m.keys.trimDue({ limit: 1 }))).toEqual(['acme/a']);
      m.apply(feed.page(ev.trimmed('acme', 'a', 3, 1, 5), ev.disabled('acme', 'b', 5)));
      expect(ids(m.keys.trimDue(all))).toEqual(['acme/b']);
      m.apply(feed.page(ev.deletionScheduled('acme', 'b', 6)));
      expect(ids(m.keys.trimDue(all))).toEqual([]);
    });

    it('lists keys in one status by tenant then key', () => {
      const m = fresh();
      m.apply(new Feed().page(ev.created('globex', 'a', 0), ev.created('acme', 'z', 0), ev.created('acme', 'b', 0), ev.disabled('acme', 'b', 1), ev.created('acme', 'c', 0)));
      expect(ids(m.keys.withStatus('Enabled', all))).toEqual(['acme/c', 'acme/z', 'globex/a']);
      expect(ids(m.keys.withStatus('Disabled', all))).toEqual(['acme/b']);
      expect(ids(m.keys.withStatus('Destroyed', all))).toEqual([]);
    });
  });

  describe('signers', () => {
    const kv = (keyId: string, version: number) => ({ kind: 'key-version' as const, tenantId: 'acme', keyId, version });

    it('folds registrations and retirements; a retired signer stays with its retirement time', () => {
      const m = fresh();
      const feed = new Feed();
      m.apply(feed.page(ev.created('acme', 'k', 0), ev.signerRegistered('kid-1', kv('k', 1), 0)));
      expect(m.signers.get('kid-1')).toMatchObject({ kid: 'kid-1', status: 'Active', owner: kv('k', 1), registeredAt: iso(0), validUntil: null });
      m.apply(feed.page(ev.signerRetired('kid-1', 3)));
      expect(m.signers.get('kid-1')).toMatchObject({ kid: 'kid-1', status: 'Retired', retiredAt: iso(3) });
      expect(m.signers.get('kid-none')).toBeUndefined();
    });

    it('lists the break-glass signers not retired, by kid', () => {
      const m = fresh();
      m.apply(
        new Feed().page(
          ev.signerRegistered('bg-b', { kind: 'break-glass', sessionId: 's2' }, 0),
          ev.signerRegistered('bg-a', { kind: 'break-glass', sessionId: 's1' }, 0),
          ev.signerRegistered('bg-c', { kind: 'break-glass', sessionId: 's3' }, 0),
          ev.signerRegistered('key-kid', kv('k', 1), 0),
          ev.signerRetired('bg-c', 1),
        ),
      );
      expect(m.signers.activeBreakGlass().map((s) => s.kid)).toEqual(['bg-a', 'bg-b']);
    });

    it('lists signing keys whose versions lack signers, and destroyed ones whose signers are not all retired', () => {
      const m = fresh();
      const feed = new Feed();
      m.apply(feed.page(ev.created('acme', 'sign', 0), ev.created('acme', 'enc', 0, { purpose: 'encrypt' }), ev.created('acme', 'done', 0), ev.signerRegistered('done-1', kv('done', 1), 0)));
      expect(ids(m.signers.keysNeedingSigners(all))).toEqual(['acme/sign']);
      m.apply(feed.page(ev.signerRegistered('sign-1', kv('sign', 1), 1), ev.rotated('acme', 'sign', 2, 2)));
      expect(ids(m.signers.keysNeedingSigners(all))).toEqual(['acme/sign']);
      m.apply(feed.page(ev.signerRegistered('sign-2', kv('sign', 2), 2)));
      expect(ids(m.signers.keysNeedingSigners(all))).toEqual([]);
      m.apply(feed.page(ev.deletionScheduled('acme', 'sign', 3), ev.destroyed('acme', 'sign', 10), ev.signerRetired('sign-1', 10)));
      expect(ids(m.signers.keysNeedingSigners(all))).toEqual(['acme/sign']);
      m.apply(feed.page(ev.signerRetired('sign-2', 10)));
      expect(ids(m.signers.keysNeedingSigners(all))).toEqual([]);
    });
  });

  describe('break-glass sessions', () => {
    it('folds a session from request to key destruction, through the status queries', () => {
      const m = fresh();
      const feed = new Feed();
      m.apply(feed.page(ev.requested('s1', 0)));
      expect(m.sessions.get('s1')).toMatchObject({ sessionId: 's1', status: 'Requested', approvals: [] });
      expect(m.sessions.withStatus('Requested', all).items.map((s) => s.sessionId)).toEqual(['s1']);
      expect(m.sessions.activeCount()).toBe(0);
      expect(m.sessions.requestedBefore(at(-0.5), 10)).toEqual([]);
      expect(m.sessions.requestedBefore(at(0), 10).map((s) => s.sessionId)).toEqual(['s1']);
      m.apply(feed.page(ev.approved('s1', 'approver-security', 0), ev.approved('s1', 'approver-finance', 0), ev.activated('s1', 'bg-1', 0, 1)));
      expect(m.sessions.get('s1')).toMatchObject({ status: 'Active', expiresAt: iso(1), signatureCount: 0, approvals: [{ role: 'approver-security' }, { role: 'approver-finance' }] });
      expect(m.sessions.withStatus('Requested', all).items).toEqual([]);
      expect(m.sessions.requestedBefore(at(5), 10)).toEqual([]);
      expect(m.sessions.activeCount()).toBe(1);
      expect(m.sessions.dueForExpiry(at(0.5), 10)).toEqual([]);
      expect(m.sessions.dueForExpiry(at(1), 10).map((s) => s.sessionId)).toEqual(['s1']);
      m.apply(feed.page(ev.signatureIssued('s1', 'bg-1', 1, 0.6), ev.keyLost('s1', 'bg-1', 0.7)));
      expect(m.sessions.get('s1')).toMatchObject({ status: 'KeyLost', signatureCount: 1, keyLostAt: iso(0.7) });
      expect(m.sessions.activeCount()).toBe(1);
      expect(m.sessions.dueForExpiry(at(2), 10).map((s) => s.sessionId)).toEqual(['s1']);
      expect(m.sessions.awaitingKeyDestruction(10)).toEqual([]);
      m.apply(feed.page(ev.expired('s1', 2)));
      expect(m.sessions.get('s1')).toMatchObject({ status: 'Ended', keyLost: true, ending: { kind: 'expired' }, issued: { signer: { kid: 'bg-1' } } });
      expect(m.sessions.activeCount()).toBe(0);
      expect(m.sessions.dueForExpiry(at(2), 10)).toEqual([]);
      expect(m.sessions.awaitingKeyDestruction(10).map((s) => s.sessionId)).toEqual(['s1']);
      m.apply(feed.page(ev.emergencyKeyDestroyed('s1', 'bg-1', 2)));
      expect(m.sessions.get('s1')).toMatchObject({ status: 'KeyDestroyed', keyDestroyedAt: iso(2) });
      expect(m.sessions.awaitingKeyDestruction(10)).toEqual([]);
      expect(m.sessions.withStatus('KeyDestroyed', all).items.map((s) => s.sessionId)).toEqual(['s1']);
    });

    it('does not await key destruction for a session closed before it issued a key; limits apply by session id', () => {
      const m = fresh();
      const feed = new Feed();
      m.apply(feed.page(ev.requested('s-never', 0), ev.closed('s-never', 1)));
      for (const id of ['s-c', 's-a', 's-b']) m.apply(feed.page(ev.requested(id, 0), ev.activated(id, `kid-${id}`, 0, 1)));
      expect(m.sessions.get('s-never')).toMatchObject({ status: 'Ended', issued: null, ending: { kind: 'closed', closedBy: 'user:ops' } });
      expect(m.sessions.dueForExpiry(at(5), 2).map((s) => s.sessionId)).toEqual(['s-a', 's-b']);
      expect(m.sessions.activeCount()).toBe(3);
      m.apply(feed.page(ev.closed('s-c', 2), ev.closed('s-a', 2)));
      expect(m.sessions.awaitingKeyDestruction(1).map((s) => s.sessionId)).toEqual(['s-a']);
      expect(m.sessions.awaitingKeyDestruction(10).map((s) => s.sessionId)).toEqual(['s-a', 's-c']);
      expect(m.sessions.activeCount()).toBe(1);
      expect(m.sessions.get('s-missing')).toBeUndefined();
    });
  });

  describe('breakers', () => {
    it('folds an instance through open, half-open and closed with its opening figures and outSince', () => {
      const m = fresh();
      const feed = new Feed();
      m.apply(feed.page(ev.breakerOpened('kms', 'api-1', 1)));
      expect(m.breakers.get('kms', 'api-1')).toEqual({
        name: 'kms',
        instance: 'api-1',
        state: 'open',
        since: iso(1),
        openCount: 1,
        lastOpenedAt: iso(1),
        lastFailures: 5,
        lastCalls: 8,
        lastFailureRatio: 0.625,
        outSince: iso(1),
        confirmedAt: iso(1),
      });
      m.apply(feed.page(ev.breakerHalfOpened('kms', 'api-1', 2), ev.breakerOpened('kms', 'api-1', 3, 'half-open')));
      expect(m.breakers.get('kms', 'api-1')).toMatchObject({ state: 'open', since: iso(3), openCount: 2, outSince: iso(1) });
      m.apply(feed.page(ev.breakerHalfOpened('kms', 'api-1', 4), ev.breakerClosed('kms', 'api-1', 5)));
      expect(m.breakers.get('kms', 'api-1')).toMatchObject({ state: 'closed', since: iso(5), openCount: 2, outSince: null, lastOpenedAt: iso(3) });
      expect(m.breakers.get('kms', 'api-2')).toBeUndefined();
    });

    it('a confirmation renews an outage without moving its start; an end closes the instance', () => {
      const m = fresh();
      const feed = new Feed();
      m.apply(feed.page(ev.breakerOpened('kms', 'api-1', 1), ev.outageConfirmed('kms', 'api-1', 2)));
      expect(m.breakers.get('kms', 'api-1')).toMatchObject({ state: 'open', since: iso(1), outSince: iso(1), confirmedAt: iso(2) });
      expect(m.breakers.outOf(['kms']).map((b) => b.instance)).toEqual(['api-1']);
      m.apply(feed.page(ev.outageEnded('kms', 'api-1', 3)));
      expect(m.breakers.get('kms', 'api-1')).toMatchObject({ state: 'closed', since: iso(3), outSince: null, endedBecause: 'instance-restarted' });
      expect(m.breakers.outOf(['kms'])).toEqual([]);
    });

    it('lists the instances of the named breakers that are not closed, in the order of the names then by instance', () => {
      const m = fresh();
      m.apply(
        new Feed().page(
          ev.breakerOpened('kms', 'api-2', 1),
          ev.breakerOpened('esdb', 'api-1', 1),
          ev.breakerOpened('kms', 'api-1', 1),
          ev.breakerHalfOpened('kms', 'api-1', 2),
          ev.breakerOpened('kms', 'scheduler', 1),
          ev.breakerHalfOpened('kms', 'scheduler', 2),
          ev.breakerClosed('kms', 'scheduler', 3),
          ev.breakerOpened('other', 'api-1', 1),
        ),
      );
      const out = (names: string[]) => m.breakers.outOf(names).map((b) => `${b.name}/${b.instance}:${b.state}`);
      expect(out(['kms'])).toEqual(['kms/api-1:half-open', 'kms/api-2:open']);
      expect(out(['kms', 'esdb'])).toEqual(['kms/api-1:half-open', 'kms/api-2:open', 'esdb/api-1:open']);
      expect(out(['esdb', 'kms', 'esdb'])).toEqual(['esdb/api-1:open', 'kms/api-1:half-open', 'kms/api-2:open']);
      expect(out([])).toEqual([]);
      expect(out(['unknown'])).toEqual([]);
    });
  });

  describe('signing freeze', () => {
    it('folds freezes and resumes per scope with who changed them and when', () => {
      const m = fresh();
      const feed = new Feed();
      m.apply(feed.page(ev.frozen({ kind: 'global' }, 1), ev.frozen({ kind: 'tenant', tenantId: 'acme' }, 1)));
      expect(m.freeze.get('global')).toEqual({ status: 'Frozen', scope: { kind: 'global' }, reason: 'incident', frozenAt: iso(1), changedBy: 'user:ops', changedAt: iso(1) });
      expect(m.freeze.get('tenant:acme')).toMatchObject({ status: 'Frozen', scope: { kind: 'tenant', tenantId: 'acme' } });
      m.apply(feed.page(ev.resumed({ kind: 'global' }, 2)));
      expect(m.freeze.get('global')).toEqual({ status: 'Unfrozen', changedBy: 'user:lead', changedAt: iso(2) });
      expect(m.freeze.get('tenant:acme')?.status).toBe('Frozen');
      expect(m.freeze.get('tenant:globex')).toBeUndefined();
    });
  });
}
