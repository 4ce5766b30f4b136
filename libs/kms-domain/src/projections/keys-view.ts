import { KEY_EVENT_TYPES } from '../key/key-events';
import { evolveKey, type ExistingKeyState } from '../key/key-state';
import { rotationStatus, type RotationPolicyOptions, type RotationStatus } from '../key/rotation-policy';
import type { RotationReason } from '../key/key-types';
import { ownEntry } from '../shared/validation';
import { defineProjection, isOneOf, type PositionedView } from './projection';

/** One key as the view keeps it: its aggregate state plus the reason of its last rotation. */
export type KeyViewEntry = ExistingKeyState & { readonly lastRotationReason: RotationReason | null };

export interface KeysView extends PositionedView {
  /** By `<tenantId>:<keyId>`. */
  readonly keys: Readonly<Record<string, KeyViewEntry>>;
}

const KEY_TYPES = new Set(KEY_EVENT_TYPES);
const entryId = (tenantId: string, keyId: string) => `${tenantId}:${keyId}`;

/** Key status view: state, versions, primary, last rotation per tenant key. */
export const keysProjection = defineProjection<KeysView>('keys', { position: null, keys: {} }, (view, { event }) => {
  if (!isOneOf(event, KEY_TYPES)) return view;
  const id = entryId(event.data.tenantId, event.data.keyId);
  const current = ownEntry(view.keys, id);
  const state = evolveKey(current ?? { status: 'Absent' }, event);
  if (state.status === 'Absent') return view;
  const lastRotationReason = event.type === 'KeyRotated' ? event.data.reason : (current?.lastRotationReason ?? null);
  return { ...view, keys: { ...view.keys, [id]: { ...state, lastRotationReason } } };
});

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
