import { KEY_EVENT_TYPES, type KeyEvent } from '../key/key-events';
import { evolveKey, type ExistingKeyState } from '../key/key-state';
import { rotationStatus, type RotationPolicyOptions, type RotationStatus } from '../key/rotation-policy';
import type { RotationReason } from '../key/key-types';
import { ownEntry } from '../shared/validation';
import type { PositionedView } from './projection';
import { defineTableProjection } from './table-projection';

/** One key as the view keeps it: its aggregate state plus the reason of its last rotation. */
export type KeyViewEntry = ExistingKeyState & { readonly lastRotationReason: RotationReason | null };

export interface KeysView extends PositionedView {
  /** By `<tenantId>:<keyId>`. */
  readonly keys: Readonly<Record<string, KeyViewEntry>>;
}

const KEY_TYPES = new Set(KEY_EVENT_TYPES);
const ABSENT = { status: 'Absent' } as const;
const entryId = (tenantId: string, keyId: string) => `${tenantId}:${keyId}`;

/** Key status view: state, versions, primary, last rotation per tenant key. */
export const keysProjection = defineTableProjection<KeysView, KeyEvent['type'], KeyViewEntry>(
  'keys',
  { position: null, keys: {} },
  { table: (view) => view.keys, build: (_view, position, keys) => ({ position, keys }) },
  {
    types: KEY_TYPES,
    keyOf: (event) => entryId(event.data.tenantId, event.data.keyId),
    next: (current, event) => {
      const state = evolveKey(current ?? ABSENT, event);
      if (state.status === 'Absent') return undefined;
      const lastRotationReason = event.type === 'KeyRotated' ? event.data.reason : (current?.lastRotationReason ?? null);
      return { ...state, lastRotationReason };
    },
  },
);

/** A key's status row for APIs and metrics, with the rotation outlook at `now`. */
export interface KeyStatusRow {
  readonly tenantId: string;
  readonly keyId: string;
  readonly status: ExistingKeyState['status'];
  readonly purpose: string;
  readonly algorithm: string;
  readonly provider: string;
  readonly versions: readonly { readonly version: number; readonly createdAt: string }[];
  readonly primaryVersion: number;
  readonly minDecryptionVersion: number;
  readonly lastRotatedAt: string;
  readonly lastRotationReason: RotationReason | null;
  readonly deleteAfter: string | null;
  readonly rotation: RotationStatus;
}

function toRow(entry: KeyViewEntry, now: Date, options?: RotationPolicyOptions): KeyStatusRow {
  return {
    tenantId: entry.tenantId,
    keyId: entry.keyId,
    status: entry.status,
    purpose: entry.purpose,
    algorithm: entry.algorithm,
    provider: entry.provider,
    versions: entry.versions.map(({ version, createdAt }) => ({ version, createdAt })),
    primaryVersion: entry.primaryVersion,
    minDecryptionVersion: entry.minDecryptionVersion,
    lastRotatedAt: entry.lastRotatedAt,
    lastRotationReason: entry.lastRotationReason,
    deleteAfter: entry.status === 'PendingDeletion' ? entry.deleteAfter : null,
    rotation: rotationStatus(entry, now, options),
  };
}

/** Status rows at `now`, optionally for one tenant, sorted by tenant then key. */
export function keyStatusRows(
  view: KeysView,
  now: Date,
  filter: { readonly tenantId?: string } = {},
  options?: RotationPolicyOptions,
): KeyStatusRow[] {
  return Object.values(view.keys)
    .filter((entry) => filter.tenantId === undefined || entry.tenantId === filter.tenantId)
    .sort((a, b) => entryId(a.tenantId, a.keyId).localeCompare(entryId(b.tenantId, b.keyId)))
    .map((entry) => toRow(entry, now, options));
}

/** One key's row at `now`, or `undefined` when the view has never seen it. */
export function keyStatusRow(view: KeysView, tenantId: string, keyId: string, now: Date): KeyStatusRow | undefined {
  const entry = ownEntry(view.keys, entryId(tenantId, keyId));
  return entry && toRow(entry, now);
}
