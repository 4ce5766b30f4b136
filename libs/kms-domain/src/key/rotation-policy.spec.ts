import fc from 'fast-check';
import { rotationStatus, keyDecider, foldEvents } from '../index';
import { at, created, DAY, deletionScheduled, destroyed, disabled, iso, rotated } from '../../test/fixtures/key-fixtures';

describe('rotation policy', () => {
  const key = foldEvents(keyDecider, [created(0, 90)]);

  it('is not due before the period has elapsed, and says when it will be', () => {
    expect(rotationStatus(key, at(89))).toEqual({
      applicable: true,
      due: false,
      overdue: false,
      nextDueAt: iso(90),
      overdueAt: iso(91),
    });
  });

  it('is due exactly when the primary version is rotationPeriodDays old', () => {
    expect(rotationStatus(key, at(90))).toMatchObject({ due: true, overdue: false });
  });

  it('is overdue one day after due by default, or after the configured grace', () => {
    expect(rotationStatus(key, at(91))).toMatchObject({ due: true, overdue: true });
    expect(rotationStatus(key, at(91), { overdueAfterDays: 3 })).toMatchObject({ due: true, overdue: false, overdueAt: iso(93) });
  });

  it('counts from the last rotation, not from creation', () => {
    const rotatedKey = foldEvents(keyDecider, [created(0, 90), rotated(2, 80)]);
    expect(rotationStatus(rotatedKey, at(100))).toMatchObject({ due: false, nextDueAt: iso(170) });
  });

  it('never marks keys due that cannot rotate', () => {
    const states = [
      keyDecider.initialState(),
      foldEvents(keyDecider, [created(), disabled(1)]),
      foldEvents(keyDecider, [created(), deletionScheduled(1)]),
      foldEvents(keyDecider, [created(), deletionScheduled(1, 7), destroyed(8)]),
    ];
    for (const state of states) {
      expect(rotationStatus(state, at(1000))).toEqual({
        applicable: false,
        due: false,
        overdue: false,
        nextDueAt: null,
        overdueAt: null,
      });
    }
  });

  it('property: due iff now >= lastRotatedAt + period, and overdue implies due', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3650 }), fc.integer({ min: 0, max: 4000 * DAY }), (period, elapsed) => {
        const subject = { status: 'Enabled' as const, rotationPeriodDays: period, lastRotatedAt: iso(0) };
        const status = rotationStatus(subject, new Date(at(0).getTime() + elapsed));
        expect(status.due).toBe(elapsed >= period * DAY);
        expect(status.overdue).toBe(elapsed >= (period + 1) * DAY);
        if (status.overdue) expect(status.due).toBe(true);
      }),
    );
  });
});
