import { deciderSpec, keyDecider, type KeyEvent } from '../index';
import { created, deletionScheduled, destroyed, disabled, ids, iso, keyCommand, rotated } from '../../test/fixtures/key-fixtures';

const spec = deciderSpec(keyDecider);
const fail = (day: number, rest: Record<string, unknown> = {}) =>
  keyCommand('RecordKeyRotationFailure', day, { reason: 'scheduled', code: 'KMS_UNAVAILABLE', runId: 'run-1', ...rest } as never);

describe('Key decider: rotation failures', () => {
  it('records the failure with the primary version, code and run, and leaves the key as it was', () => {
    const history = [created(0, 30), rotated(2, 30)];
    const expected: KeyEvent = {
      type: 'KeyRotationFailed',
      schemaVersion: 1,
      data: { ...ids, primaryVersion: 2, reason: 'scheduled', code: 'KMS_UNAVAILABLE', runId: 'run-1', failedAt: iso(61) },
    };
    spec.given(history).when(fail(61)).then([expected]);
    const before = spec.given(history).when(fail(61)).run();
    const after = spec.given([...history, expected]).when(keyCommand('ChangeRotationPeriod', 62, { rotationPeriodDays: 30 })).run();
    expect(before.state).toMatchObject({ primaryVersion: 2, lastRotatedAt: iso(30), status: 'Enabled' });
    expect(after.state).toMatchObject({ primaryVersion: 2, lastRotatedAt: iso(30) });
  });

  it('refuses a code that is not an upper snake case identifier (no messages in events)', () => {
    spec.given([created()]).when(fail(1, { code: 'connect ECONNREFUSED 10.0.0.1:443' })).thenThrows('VALIDATION_FAILED');
    spec.given([created()]).when(fail(1, { code: '' })).thenThrows('VALIDATION_FAILED');
    spec.given([created()]).when(fail(1, { runId: 'bad id' })).thenThrows('VALIDATION_FAILED');
    spec.given([created()]).when(fail(1, { reason: 'whim' })).thenThrows('VALIDATION_FAILED');
  });

  it('applies only to keys that could rotate', () => {
    spec.given([]).when(fail(1)).thenThrows('KEY_NOT_FOUND');
    spec.given([created(), disabled(1)]).when(fail(2)).thenThrows('KEY_DISABLED');
    spec.given([created(), deletionScheduled(1, 7)]).when(fail(2)).thenThrows('KEY_PENDING_DELETION');
    spec.given([created(), deletionScheduled(1, 7), destroyed(9)]).when(fail(10)).thenThrows('KEY_DESTROYED');
  });
});
