import { retentionTrimTarget } from '../key/key-version-policy';
import { ValidationError } from '../errors/domain-errors';
import { MS_PER_DAY } from '../shared/time';
import type { KeyViewEntry } from '../projections/keys-view';

/** A sort key: the values a query orders its rows by, compared element by element. */
export type SortKey = readonly (string | number)[];

/** The opaque cursor after a row with this sort key. */
export function encodeCursor(key: SortKey): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/**
 * The sort key a cursor stands for, checked against the query's shape (`kinds`: 's' string, 'n'
 * number); anything else is a CURSOR-field validation error that never echoes the cursor.
 */
export function decodeCursor(cursor: string, kinds: string): SortKey {
  let parsed: unknown;
  try {
    parsed = cursor.length <= 1024 ? JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) : null;
  } catch {
    parsed = null;
  }
  const ok =
    Array.isArray(parsed) &&
    parsed.length === kinds.length &&
    parsed.every((v, i) => (kinds[i] === 'n' ? typeof v === 'number' && Number.isFinite(v) : typeof v === 'string' && v.length <= 256));
  if (!ok) throw foreignCursor();
  return parsed as SortKey;
}

const foreignCursor = (): ValidationError => new ValidationError('cursor', 'not a cursor this query returned; start again without one');

/** The cursor of `dueForRotation`: pass `p` (due by period) or `q` (by age), then time, tenant and key. */
export function decodeRotationCursor(cursor: string): SortKey {
  const key = decodeCursor(cursor, 'snss');
  if (key[0] !== 'p' && key[0] !== 'q') throw foreignCursor();
  return key;
}

/**
 * A query's row limit, checked alike by every adapter (none hands a bad one to its database): a
 * whole number of at least `min` (1 for a page); anything else is a LIMIT-field validation error.
 */
export function requireLimit(limit: number, min: 0 | 1 = 1): number {
  if (!Number.isSafeInteger(limit) || limit < min) throw new ValidationError('limit', `must be a whole number of at least ${min}`);
  return limit;
}

/** Compares two sort keys (numbers numerically, strings by code unit, which is byte order for ids). */
export function compareKeys(a: SortKey, b: SortKey): number {
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    return a[i] < b[i] ? -1 : 1;
  }
  return 0;
}

/** Creation time of a key's primary version, in ms since the epoch. */
export const lastRotatedMs = (key: KeyViewEntry): number => Date.parse(key.lastRotatedAt);

/** When a key's own rotation period runs out, in ms since the epoch. */
export const rotationDueMs = (key: KeyViewEntry): number => lastRotatedMs(key) + key.rotationPeriodDays * MS_PER_DAY;

/** A pending-deletion key's deletion time in ms, else null. */
/** The key's `retainVersions` asks for a trim now (and its state allows one): the trim-due index column. */
export const isTrimDue = (key: KeyViewEntry): boolean => (key.status === 'Enabled' || key.status === 'Disabled') && retentionTrimTarget(key) !== null;
export const deleteAfterMs = (key: KeyViewEntry): number | null => (key.status === 'PendingDeletion' ? Date.parse(key.deleteAfter) : null);

/** Whether a signing key's registry entries lag behind it, given how many of its kids are registered / retired. */
export function needsSigners(key: KeyViewEntry, registered: number, retired: number): boolean {
  if (key.purpose !== 'sign') return false;
  return key.status === 'Destroyed' ? retired < registered : registered < key.versions.length;
}
