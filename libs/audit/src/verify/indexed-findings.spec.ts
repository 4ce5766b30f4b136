import type { Finding } from './findings';
import { IndexedFindings, mergeFindings } from './indexed-findings';

const f = (position: number, detail: string): Finding => ({ position, stream: 's', rule: 'chain', detail });

describe('mergeFindings', () => {
  it('orders by event index, and by list order for the same index', () => {
    const before = new IndexedFindings();
    const events = new IndexedFindings();
    const after = new IndexedFindings();
    events.at = 0;
    events.report(f(1, 'event 0'));
    before.at = 2;
    before.report(f(3, 'before 2'));
    after.at = 2;
    after.report(f(3, 'after 2'));
    events.at = 2;
    events.report(f(3, 'event 2a'));
    events.report(f(3, 'event 2b'));
    after.at = 5;
    after.report(f(0, 'end'));
    before.at = 4;
    before.report(f(5, 'before 4'));
    expect(mergeFindings([before, events, after]).map((x) => x.detail)).toEqual(['event 0', 'before 2', 'event 2a', 'event 2b', 'after 2', 'before 4', 'end']);
  });

  it('merges nothing into nothing', () => {
    expect(mergeFindings([new IndexedFindings(), { indexes: [], findings: [] }])).toEqual([]);
  });
});
