import { keyStatusRow, keyStatusRows, keysProjection, keyStream, replay, type KeyEvent } from '../index';
import {
  at,
  created,
  deletionScheduled,
  disabled,
  ids,
  iso,
  rotated,
} from '../../test/fixtures/key-fixtures';
import { globalOrder, inStream } from '../../test/fixtures/projected';

const stream = keyStream(ids.tenantId, ids.keyId);
const other = (event: KeyEvent): KeyEvent => ({ ...event, data: { ...event.data, tenantId: 'globex' } }) as KeyEvent;

describe('keys view', () => {
  it('shows state, versions, primary and last rotation', () => {
    const view = replay(keysProjection, inStream(stream, [created(0), rotated(2, 90)]));
    expect(keyStatusRow(view, 'acme', 'payments-signing', at(100))).toEqual({
      tenantId: 'acme',
      keyId: 'payments-signing',
      status: 'Enabled',
      purpose: 'sign',
      algorithm: 'ECDSA_P256_SHA256',
      provider: 'aws',
      versions: [
        { version: 1, createdAt: iso(0) },
        { version: 2, createdAt: iso(90) },
      ],
      primaryVersion: 2,
      minDecryptionVersion: 1,
      lastRotatedAt: iso(90),
      lastRotationReason: 'scheduled',
      deleteAfter: null,
      rotation: { applicable: true, due: false, overdue: false, nextDueAt: iso(180), overdueAt: iso(181) },
    });
    expect(view.position).toBe(2);
  });

  it('reports rotation due and overdue at the given now', () => {
    const view = replay(keysProjection, inStream(stream, [created(0)]));
    expect(keyStatusRow(view, 'acme', 'payments-signing', at(90))?.rotation).toMatchObject({ due: true, overdue: false });
    expect(keyStatusRow(view, 'acme', 'payments-signing', at(95))?.rotation).toMatchObject({ due: true, overdue: true });
  });

  it('shows disabled and pending-deletion keys as never due, with deleteAfter', () => {
    const view = replay(keysProjection, inStream(stream, [created(0), disabled(1), deletionScheduled(2, 7)]));
    const row = keyStatusRow(view, 'acme', 'payments-signing', at(500));
    expect(row).toMatchObject({ status: 'PendingDeletion', deleteAfter: iso(9), lastRotationReason: null });
    expect(row?.rotation.due).toBe(false);
  });

  it('lists keys per tenant, sorted, and ignores other events', () => {
    const events = globalOrder(
      inStream('key-globex:payments-signing', [other(created(0))]),
      inStream(stream, [created(0)]),
      inStream('signingfreeze-global', [
        { type: 'SigningResumed', schemaVersion: 1, data: { scope: { kind: 'global' }, resumedBy: 'x', resumedAt: iso(1) } },
      ]),
    );
    const view = replay(keysProjection, events);
    expect(keyStatusRows(view, at(1)).map((r) => r.tenantId)).toEqual(['acme', 'globex']);
    expect(keyStatusRows(view, at(1), { tenantId: 'globex' })).toHaveLength(1);
    expect(view.position).toBe(3);
  });

  it('is idempotent under replay of already applied positions', () => {
    const events = inStream(stream, [created(0), rotated(2, 90)]);
    const view = replay(keysProjection, events);
    expect(replay({ ...keysProjection, initial: view }, events)).toBe(view);
  });

  it('ignores lifecycle events of keys it never saw created, and unknown keys have no row', () => {
    const view = replay(keysProjection, inStream(stream, [disabled(1)]));
    expect(view.keys).toEqual({});
    expect(keyStatusRow(view, 'acme', 'constructor', at(1))).toBeUndefined();
  });

  it('does not mutate the previous view', () => {
    const first = replay(keysProjection, inStream(stream, [created(0)]));
    const snapshot = JSON.stringify(first);
    keysProjection.apply(first, { event: disabled(1), streamName: stream, position: 2 });
    expect(JSON.stringify(first)).toBe(snapshot);
  });
});
