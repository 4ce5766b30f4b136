import { ValidationError, type PageRequest, type ReadModels, type RowPage } from '@keyledger/kms-domain';
import { walk } from './answers';
import type { Fresh } from './contract';
import { at, ev, Feed } from './events';

const keyIds = (page: RowPage<{ keyId: string }>): string[] => page.items.map((k) => k.keyId);

type Paged = (m: ReadModels, page: PageRequest) => RowPage<unknown>;

/** Every paged query of the port, with the shape of its sort key ('s' a string, 'n' a number: what its cursors carry). */
const PAGED: readonly [string, Paged, string][] = [
  ['keys.listTenant', (m, p) => m.keys.listTenant('acme', p), 's'],
  ['keys.dueForRotation', (m, p) => m.keys.dueForRotation(at(500), 10, p), 'snss'],
  ['keys.enabledRotatedBefore', (m, p) => m.keys.enabledRotatedBefore(at(500), p), 'nss'],
  ['keys.deletionDue', (m, p) => m.keys.deletionDue(at(500), p), 'nss'],
  ['keys.withStatus', (m, p) => m.keys.withStatus('Enabled', p), 'ss'],
  ['signers.keysNeedingSigners', (m, p) => m.signers.keysNeedingSigners(p), 'ss'],
  ['sessions.withStatus', (m, p) => m.sessions.withStatus('Requested', p), 's'],
];

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

/** A cursor of every shape but the right one, and things that are no cursor at all. */
const FORGED = ['not a cursor!', b64([42]), b64(['a', 'b', 'c', 'd', 'e']), b64({ after: 'x' }), b64([Number.POSITIVE_INFINITY]), b64(['x'.repeat(300)]), 'A'.repeat(2000), b64(null)];

/** Cursor paging: limits, next cursors, refusal of cursors the query did not hand out, tenant isolation. */
export function pagingContract(fresh: Fresh): void {
  describe('cursor paging', () => {
    const seeded = (): ReadModels => {
      const m = fresh();
      const feed = new Feed();
      m.apply(feed.page(...['e', 'a', 'd', 'b', 'c'].map((k) => ev.created('acme', `k-${k}`, 0)), ev.created('globex', 'k-0', 0), ev.created('globex', 'k-z', 0)));
      m.apply(feed.page(...['r2', 'r1', 'r3'].map((s) => ev.requested(s, 0))));
      m.apply(feed.page(ev.deletionScheduled('acme', 'k-d', 1), ev.deletionScheduled('globex', 'k-z', 1)));
      return m;
    };

    it('pages a tenant’s keys by key id: at most limit rows, a next cursor until the last page, only that tenant', () => {
      const m = seeded();
      const first = m.keys.listTenant('acme', { limit: 2 });
      expect(keyIds(first)).toEqual(['k-a', 'k-b']);
      expect(typeof first.next).toBe('string');
      const second = m.keys.listTenant('acme', { limit: 2, cursor: first.next });
      expect(keyIds(second)).toEqual(['k-c', 'k-d']);
      const third = m.keys.listTenant('acme', { limit: 2, cursor: second.next });
      expect(keyIds(third)).toEqual(['k-e']);
      expect(third.next).toBeNull();
      expect(m.keys.listTenant('globex', { limit: 10 })).toMatchObject({ next: null, items: [{ keyId: 'k-0' }, { keyId: 'k-z' }] });
      expect(m.keys.listTenant('initech', { limit: 10 })).toEqual({ items: [], next: null });
    });

    it('gives no next cursor when the last page is exactly full, and the same rows at every limit', () => {
      const m = seeded();
      expect(m.keys.listTenant('acme', { limit: 5 }).next).toBeNull();
      expect(m.keys.listTenant('acme', { limit: 4 }).next).not.toBeNull();
      const whole = keyIds(m.keys.listTenant('acme', { limit: 1000 }));
      for (const limit of [1, 2, 3, 5]) expect(walk((p) => m.keys.listTenant('acme', p), limit).flat().map((k) => k.keyId)).toEqual(whole);
    });

    it('keeps a cursor valid across applied events: rows after it appear, rows before it do not repeat', () => {
      const m = seeded();
      const first = m.keys.listTenant('acme', { limit: 2 });
      m.apply(new Feed(1, m.position()).page(ev.created('acme', 'k-0', 2), ev.created('acme', 'k-bb', 2)));
      expect(keyIds(m.keys.listTenant('acme', { limit: 2, cursor: first.next }))).toEqual(['k-bb', 'k-c']);
    });

    it('treats an empty cursor as the first page', () => {
      const m = seeded();
      expect(keyIds(m.keys.listTenant('acme', { limit: 1, cursor: '' }))).toEqual(['k-a']);
    });

    it('refuses a rotation cursor of the right shape whose pass is neither the period nor the age pass', () => {
      const m = seeded();
      for (const pass of ['a', 'x', '']) {
        expect(catching(() => m.keys.dueForRotation(at(500), 10, { limit: 2, cursor: b64([pass, 0, '', '']) }))).toMatchObject({ code: 'VALIDATION_FAILED', field: 'cursor' });
      }
    });

    it('refuses a limit that is not a whole number, or below 1 for a page and below 0 otherwise, with a validation error on field limit', () => {
      const m = seeded();
      const refusals = [
        ...PAGED.flatMap(([, query]) => [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY].map((limit) => () => query(m, { limit }))),
        ...[-1, 2.5, Number.NaN].flatMap((limit) => [() => m.keys.recentlyRotated(limit), () => m.sessions.dueForExpiry(at(500), limit), () => m.sessions.awaitingKeyDestruction(limit)]),
      ];
      for (const call of refusals) expect(catching(call)).toMatchObject({ code: 'VALIDATION_FAILED', field: 'limit' });
      expect(m.keys.recentlyRotated(0)).toEqual([]);
      expect(m.sessions.dueForExpiry(at(500), 0)).toEqual([]);
      expect(m.sessions.awaitingKeyDestruction(0)).toEqual([]);
    });

    describe.each(PAGED)('%s', (_name, query, shape) => {
      it('pages to the end with the cursors it hands out', () => {
        const m = seeded();
        const whole = query(m, { limit: 1000 }).items;
        expect(walk((p) => query(m, p), 1).flat()).toEqual(whole);
      });

      it('refuses a cursor it did not hand out with a validation error on field cursor that does not echo it', () => {
        const m = seeded();
        for (const cursor of FORGED) {
          const error = catching(() => query(m, { limit: 2, cursor }));
          expect(error).toBeInstanceOf(ValidationError);
          expect(error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'cursor' });
          expect((error as Error).message).not.toContain(cursor);
        }
        // A cursor of a query sorted by other columns is refused too (one of the same shape is only a position).
        for (const [, other] of PAGED.filter(([, , s]) => s !== shape)) {
          const cursor = other(m, { limit: 1 }).next as string;
          expect(catching(() => query(m, { limit: 2, cursor }))).toMatchObject({ code: 'VALIDATION_FAILED', field: 'cursor' });
        }
      });
    });
  });
}

function catching(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}
