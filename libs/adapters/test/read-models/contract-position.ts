import { probeOf, snapshot } from './answers';
import type { Fresh } from './contract';
import { ev, Feed, iso } from './events';

/** Position and apply semantics (the port: events at or before the stored position are ignored), reset, and the point-read cache. */
export function positionContract(fresh: Fresh): void {
  describe('position and apply', () => {
    const history = () => {
      const feed = new Feed(10);
      const pages = [
        feed.page(ev.created('acme', 'a', 0), ev.created('acme', 'b', 0)),
        feed.page(ev.rotated('acme', 'a', 2, 1), ev.disabled('acme', 'b', 1)),
        feed.page(ev.requested('s1', 1), ev.breakerOpened('kms', 'api-1', 1), ev.frozen({ kind: 'global' }, 1)),
      ];
      return { pages, all: feed.all };
    };

    it('starts at position 0 and empty', () => {
      const m = fresh();
      expect(m.position()).toBe(0);
      expect(m.keys.listTenant('acme', { limit: 10 })).toEqual({ items: [], next: null });
      expect(m.keys.counts().total).toBe(0);
    });

    it('moves to the position of the last event of each page, gaps between positions included', () => {
      const m = fresh();
      const { pages } = history();
      m.apply(pages[0]);
      expect(m.position()).toBe(20);
      m.apply(pages[1]);
      expect(m.position()).toBe(40);
      m.apply([]);
      expect(m.position()).toBe(40);
    });

    it('ignores a page already applied, and the applied part of an overlapping page: state equals one clean apply, counters included', () => {
      const { pages, all } = history();
      const clean = fresh();
      clean.apply(all);
      const probe = probeOf(all);

      const replayed = fresh();
      replayed.apply(pages[0]);
      replayed.apply(pages[1]);
      replayed.apply(pages[0]);
      replayed.apply([...pages[0], ...pages[1]]);
      expect(replayed.position()).toBe(40);
      expect(replayed.keys.counts()).toEqual({ total: 2, byStatus: { Enabled: 1, Disabled: 1, PendingDeletion: 0, Destroyed: 0 } });
      expect(replayed.keys.get('acme', 'a')?.versions).toHaveLength(2);
      replayed.apply([...pages[1], ...pages[2]]);
      replayed.apply(all);
      expect(snapshot(replayed, probe)).toEqual(snapshot(clean, probe));
    });

    it('skips events within a page at or before an earlier event of the same page', () => {
      const feed = new Feed();
      const [created, rotated] = feed.page(ev.created('acme', 'a', 0), ev.rotated('acme', 'a', 2, 1));
      const m = fresh();
      m.apply([created, rotated, rotated, created]);
      expect(m.position()).toBe(2);
      expect(m.keys.get('acme', 'a')).toMatchObject({ primaryVersion: 2, versions: [{ version: 1 }, { version: 2 }] });
      expect(m.keys.counts().total).toBe(1);
    });

    it('folds several events of one row within one page in order', () => {
      const m = fresh();
      m.apply(new Feed().page(ev.created('acme', 'a', 0), ev.rotated('acme', 'a', 2, 1), ev.rotated('acme', 'a', 3, 2), ev.disabled('acme', 'a', 3), ev.enabled('acme', 'a', 4)));
      expect(m.keys.get('acme', 'a')).toMatchObject({ status: 'Enabled', primaryVersion: 3, lastRotatedAt: iso(2) });
      expect(m.keys.get('acme', 'a')?.versions.map((v) => v.version)).toEqual([1, 2, 3]);
      expect(m.keys.counts()).toEqual({ total: 1, byStatus: { Enabled: 1, Disabled: 0, PendingDeletion: 0, Destroyed: 0 } });
    });

    it('reset drops every row, counter and the position; a replay from zero gives the same answers', () => {
      const { all } = history();
      const probe = probeOf(all);
      const m = fresh();
      m.apply(all);
      const before = snapshot(m, probe);
      m.reset();
      expect(m.position()).toBe(0);
      expect(m.keys.get('acme', 'a')).toBeUndefined();
      expect(m.keys.tenantOf('a')).toBeUndefined();
      expect(m.keys.counts().total).toBe(0);
      expect(m.sessions.get('s1')).toBeUndefined();
      expect(m.breakers.get('kms', 'api-1')).toBeUndefined();
      expect(m.freeze.get('global')).toBeUndefined();
      m.apply(all);
      expect(snapshot(m, probe)).toEqual(before);
    });
  });

  describe('point reads after applied events', () => {
    it('returns the new version after a rotation is applied, and a row created after a miss', () => {
      const m = fresh();
      const feed = new Feed();
      m.apply(feed.page(ev.created('acme', 'a', 0)));
      expect(m.keys.get('acme', 'a')?.primaryVersion).toBe(1);
      expect(m.keys.get('acme', 'late')).toBeUndefined();
      expect(m.keys.tenantOf('late')).toBeUndefined();
      expect(m.sessions.get('s1')).toBeUndefined();
      expect(m.signers.get('kid-1')).toBeUndefined();
      expect(m.breakers.get('kms', 'api-1')).toBeUndefined();
      expect(m.freeze.get('global')).toBeUndefined();
      m.apply(
        feed.page(
          ev.rotated('acme', 'a', 2, 1),
          ev.created('acme', 'late', 1),
          ev.requested('s1', 1),
          ev.signerRegistered('kid-1', { kind: 'key-version', tenantId: 'acme', keyId: 'a', version: 2 }, 1),
          ev.breakerOpened('kms', 'api-1', 1),
          ev.frozen({ kind: 'global' }, 1),
        ),
      );
      expect(m.keys.get('acme', 'a')?.primaryVersion).toBe(2);
      expect(m.keys.get('acme', 'late')?.status).toBe('Enabled');
      expect(m.keys.tenantOf('late')).toBe('acme');
      expect(m.sessions.get('s1')?.status).toBe('Requested');
      expect(m.signers.get('kid-1')?.status).toBe('Active');
      expect(m.breakers.get('kms', 'api-1')?.state).toBe('open');
      expect(m.freeze.get('global')?.status).toBe('Frozen');
      m.apply(feed.page(ev.disabled('acme', 'a', 2), ev.signerRetired('kid-1', 2), ev.breakerHalfOpened('kms', 'api-1', 2), ev.resumed({ kind: 'global' }, 2), ev.approved('s1', 'approver-finance', 2)));
      expect(m.keys.get('acme', 'a')?.status).toBe('Disabled');
      expect(m.signers.get('kid-1')?.status).toBe('Retired');
      expect(m.breakers.get('kms', 'api-1')?.state).toBe('half-open');
      expect(m.freeze.get('global')?.status).toBe('Unfrozen');
      expect(m.sessions.get('s1')?.approvals).toHaveLength(1);
    });
  });
}
