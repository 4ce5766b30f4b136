import type { Finding, Report } from './findings';

/** Findings as plain arrays (what a worker thread sends back): each tagged with its event's index. */
export interface IndexedFindingList {
  readonly indexes: readonly number[];
  readonly findings: readonly Finding[];
}

/**
 * Collects findings tagged with the replay index of the event being checked (`at`), so findings
 * made by separate checkers, possibly on separate threads, merge back into one deterministic order.
 */
export class IndexedFindings implements IndexedFindingList {
  readonly indexes: number[] = [];
  readonly findings: Finding[] = [];
  /** Index of the event being checked; findings reported now are tagged with it. */
  at = 0;
  readonly report: Report = (f) => {
    this.indexes.push(this.at);
    this.findings.push(f);
  };
}

/**
 * Merges lists whose indexes ascend into one list ordered by event index; for the same index, the
 * findings of an earlier list come first (the order the single-threaded replay reports them in).
 */
export function mergeFindings(lists: readonly IndexedFindingList[]): Finding[] {
  const cursors = lists.map(() => 0);
  const merged: Finding[] = [];
  for (;;) {
    let best = -1;
    for (let l = 0; l < lists.length; l++) {
      const c = cursors[l];
      if (c < lists[l].indexes.length && (best < 0 || lists[l].indexes[c] < lists[best].indexes[cursors[best]])) best = l;
    }
    if (best < 0) return merged;
    merged.push(lists[best].findings[cursors[best]]);
    cursors[best] += 1;
  }
}
