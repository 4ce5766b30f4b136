import type { KeyledgerEvent } from '../events';
import { ownEntry } from '../shared/validation';
import { isOneOf, type GlobalPosition, type PositionedView, type ProjectedEvent, type Projection } from './projection';

/**
 * Table views: a view that keeps its entries in one plain record (`keys`, `scopes`, `sessions`…),
 * where every event it cares about replaces at most one entry.
 *
 * Design (why not spread on every event): views stay plain objects and plain records, because
 * callers read them as such (`Object.values(view.keys)`, `view.scopes['global']`, JSON checkpoints).
 * Views are persistent values: nothing reachable from a view passed in is ever written to.
 * - `apply` (one live event): an ignored event only moves the position, into a new two-field
 *   view that shares the same table object (no copy, no spread); a change copies the table once
 *   and shares every untouched entry.
 * - `applyAll` (catch-up and replay, a page of events): copy-on-first-write. The first change
 *   copies the table into a draft that only this call can see; later changes in the same call
 *   write into that draft; the draft becomes the new view's table when the call returns. So a
 *   page costs one table copy instead of one per event, and the views given in are untouched.
 *   The result equals applying the events one by one (a spec checks this).
 */
export interface TableShape<View extends PositionedView, Entry> {
  /** The view's table. */
  table(view: View): Readonly<Record<string, Entry>>;
  /** A view at `position` with `table`, built as a literal (sharing everything else with `view`). */
  build(view: View, position: GlobalPosition, table: Readonly<Record<string, Entry>>): View;
}

/** What a table view does with the events it cares about (all others only move its position). */
export interface TableRule<T extends KeyledgerEvent['type'], Entry> {
  readonly types: ReadonlySet<T>;
  /** Key of the one entry the event concerns. */
  keyOf(event: Extract<KeyledgerEvent, { type: T }>): string;
  /** That entry after the event, or `undefined` to leave the table as it is. */
  next(current: Entry | undefined, event: Extract<KeyledgerEvent, { type: T }>): Entry | undefined;
}

type Table<Entry> = Record<string, Entry>;

/** Sets an own entry; `__proto__` is defined as data rather than replacing the prototype. */
function setOwn<Entry>(table: Table<Entry>, key: string, entry: Entry): void {
  if (key === '__proto__') Object.defineProperty(table, key, { value: entry, writable: true, enumerable: true, configurable: true });
  else table[key] = entry;
}

/**
 * A table rule over any event: what the read models fold row by row (the same `keyOf` and `next` as
 * the in-memory view, so a row equals the view's entry for the same events).
 */
export interface RowRule<Entry> {
  readonly types: ReadonlySet<string>;
  keyOf(event: KeyledgerEvent): string;
  next(current: Entry | undefined, event: KeyledgerEvent): Entry | undefined;
}

/** A table view's projection, with its per-entry rule exposed for the persistent read models. */
export interface TableProjection<View extends PositionedView, Entry> extends Projection<View> {
  readonly rule: RowRule<Entry>;
}

/** Builds a table view's projection: idempotent under replay, with a one-copy-per-call `applyAll`. */
export function defineTableProjection<View extends PositionedView, T extends KeyledgerEvent['type'], Entry>(
  name: string,
  initial: View,
  shape: TableShape<View, Entry>,
  rule: TableRule<T, Entry>,
): TableProjection<View, Entry> {
  return {
    name,
    initial,
    // The rule is only ever called with events of `rule.types` (checked with `isOneOf` first).
    rule: rule as unknown as RowRule<Entry>,
    apply(view, { event, position }) {
      if (view.position !== null && position <= view.position) return view;
      const table = shape.table(view);
      if (!isOneOf(event, rule.types)) return shape.build(view, position, table);
      const key = rule.keyOf(event);
      const entry = rule.next(ownEntry(table, key), event);
      return shape.build(view, position, entry === undefined ? table : { ...table, [key]: entry });
    },
    applyAll(view, events: readonly ProjectedEvent[]) {
      let position = view.position;
      const table = shape.table(view);
      let draft: Table<Entry> | null = null;
      for (const recorded of events) {
        if (position !== null && recorded.position <= position) continue;
        position = recorded.position;
        const event = recorded.event;
        if (!isOneOf(event, rule.types)) continue;
        const key = rule.keyOf(event);
        const entry = rule.next(ownEntry(draft ?? table, key), event);
        if (entry === undefined) continue;
        draft ??= { ...table };
        setOwn(draft, key, entry);
      }
      if (position === null || position === view.position) return view;
      return shape.build(view, position, draft ?? table);
    },
  };
}
