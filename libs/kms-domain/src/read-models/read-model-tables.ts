import type { KeyledgerEvent } from '../events';
import { breakGlassProjection, type BreakGlassViewEntry } from '../projections/break-glass-view';
import { breakersProjection, type BreakerViewEntry } from '../projections/breakers-view';
import { keysProjection, type KeyViewEntry } from '../projections/keys-view';
import type { ProjectedEvent } from '../projections/projection';
import { signerRegistryProjection } from '../projections/signer-registry-view';
import { signingFreezeProjection, type SigningFreezeViewEntry } from '../projections/signing-freeze-view';
import type { RowRule } from '../projections/table-projection';
import type { SignerEntry } from '../signer-registry/signer-registry-types';

/** The entry type of each read-model table. */
export interface ReadModelRows {
  keys: KeyViewEntry;
  signers: SignerEntry;
  sessions: BreakGlassViewEntry;
  breakers: BreakerViewEntry;
  freeze: SigningFreezeViewEntry;
}

export type ReadModelTableName = keyof ReadModelRows;

/** One read-model table: the domain's row rule and the counters an entry counts in. */
export interface ReadModelTable<Entry> {
  readonly rule: RowRule<Entry>;
  /** Names of the counters this entry adds one to (maintained incrementally, never by a scan). */
  counters?(entry: Entry): readonly string[];
}

/**
 * Bump when a row's shape or a rule changes: a read-model file written by another version is
 * rebuilt from the events at start instead of being read.
 */
export const READ_MODEL_SCHEMA_VERSION = 3;

/** Counter names of the keys table. */
export const KEY_COUNTERS = { total: 'keys.total', status: (status: string) => `keys.status.${status}` } as const;

/** Every read-model table, folded by the same rules as the in-memory views of kms-domain. */
export const READ_MODEL_TABLES: { readonly [T in ReadModelTableName]: ReadModelTable<ReadModelRows[T]> } = {
  keys: { rule: keysProjection.rule, counters: (e) => [KEY_COUNTERS.total, KEY_COUNTERS.status(e.status)] },
  signers: { rule: signerRegistryProjection.rule },
  sessions: { rule: breakGlassProjection.rule },
  breakers: { rule: breakersProjection.rule },
  freeze: { rule: signingFreezeProjection.rule },
};

export const READ_MODEL_TABLE_NAMES = Object.keys(READ_MODEL_TABLES) as ReadModelTableName[];

/** Row id of a key in the keys table. */
export const keyRowId = (tenantId: string, keyId: string): string => `${tenantId}:${keyId}`;
/** Row id of a breaker instance in the breakers table. */
export const breakerRowId = (name: string, instance: string): string => `${name}/${instance}`;

/** The rows a page changed, per table, and the counter deltas, ready to be written in one transaction. */
export interface FoldedPage {
  readonly rows: { readonly [T in ReadModelTableName]: Map<string, ReadModelRows[T]> };
  readonly counters: Map<string, number>;
  /** Position of the last event folded, or null when every event was at or before `after`. */
  readonly position: number | null;
}

/** Reads a stored row (the state before the page). */
export type RowReader = <T extends ReadModelTableName>(table: T, id: string) => ReadModelRows[T] | undefined;

/**
 * Folds a page of events, after stored position `after`, into the rows it changes: each event goes
 * through the rule of every table that cares about it, from the row as of the previous event of the
 * page (or as stored). Pure: the caller writes the result.
 */
export function foldPage(page: readonly ProjectedEvent[], after: number, read: RowReader): FoldedPage {
  const rows = { keys: new Map(), signers: new Map(), sessions: new Map(), breakers: new Map(), freeze: new Map() } as FoldedPage['rows'];
  const counters = new Map<string, number>();
  const bump = (names: readonly string[] | undefined, by: number): void => {
    for (const name of names ?? []) counters.set(name, (counters.get(name) ?? 0) + by);
  };
  let position: number | null = null;
  for (const { event, position: at } of page) {
    if (at <= after || (position !== null && at <= position)) continue;
    position = at;
    for (const name of READ_MODEL_TABLE_NAMES) foldInto(name, event, rows, read, bump);
  }
  return { rows, counters, position };
}

function foldInto<T extends ReadModelTableName>(
  name: T,
  event: KeyledgerEvent,
  rows: FoldedPage['rows'],
  read: RowReader,
  bump: (names: readonly string[] | undefined, by: number) => void,
): void {
  const table = READ_MODEL_TABLES[name] as ReadModelTable<ReadModelRows[T]>;
  if (!table.rule.types.has(event.type)) return;
  const id = table.rule.keyOf(event);
  const changed = rows[name] as Map<string, ReadModelRows[T]>;
  const current = changed.has(id) ? changed.get(id) : read(name, id);
  const next = table.rule.next(current, event);
  if (next === undefined) return;
  if (table.counters) {
    if (current !== undefined) bump(table.counters(current), -1);
    bump(table.counters(next), 1);
  }
  changed.set(id, next);
}

/** The row ids an event touches, per table (what a point-read cache must drop). */
export function rowIdsOf(event: KeyledgerEvent): { table: ReadModelTableName; id: string }[] {
  const touched: { table: ReadModelTableName; id: string }[] = [];
  for (const table of READ_MODEL_TABLE_NAMES) {
    const rule = READ_MODEL_TABLES[table].rule;
    if (rule.types.has(event.type)) touched.push({ table, id: rule.keyOf(event) });
  }
  return touched;
}
