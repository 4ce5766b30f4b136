import { deciderSpec, keyDecider, type KeyEvent } from '../index';
import {
  at,
  created,
  deletionCancelled,
  deletionScheduled,
  destroyed,
  disabled,
  enabled,
  ids,
  iso,
  keyCommand,
  rotated,
  wrapped,
} from '../../test/fixtures/key-fixtures';

const spec = deciderSpec(keyDecider);

describe('Key decider: create', () => {
  const create = (rest: Record<string, unknown> = {}) =>
    keyCommand('CreateKey', 0, { purpose: 'sign', provider: 'aws', mode: 'wrapped', material: wrapped(1), ...rest });

  it('creates a sign key with ECDSA_P256_SHA256 and a 90-day period by default', () => {
    spec.given([]).when(create()).then([created()]);
  });

  it('creates an encrypt key with AES_256_GCM by default', () => {
    const { events } = spec.given([]).when(create({ purpose: 'encrypt' })).run();
    expect(events[0]).toMatchObject({ type: 'KeyCreated', data: { purpose: 'encrypt', algorithm: 'AES_256_GCM' } });
  });

  it.each(['ED25519', 'RSA_PSS_2048_SHA256', 'RSA_PSS_3072_SHA256'])('accepts sign algorithm %s', (algorithm) => {
    const { state } = spec.given([]).when(create({ algorithm })).run();
    expect(state).toMatchObject({ status: 'Enabled', algorithm, primaryVersion: 1, minDecryptionVersion: 1 });
  });

  it('accepts a provider-resident key with a provider reference', () => {
    const material = { mode: 'provider-resident', providerKeyRef: 'pkcs11:label=acme-sign' };
    const { events } = spec.given([]).when(create({ mode: 'provider-resident', material })).run();
    expect(events[0]).toMatchObject({ data: { mode: 'provider-resident', material } });
  });

  it('refuses an algorithm that does not fit the purpose', () => {
    const error = spec.given([]).when(create({ purpose: 'encrypt', algorithm: 'ED25519' })).thenThrows('VALIDATION_FAILED');
    expect(error).toMatchObject({ field: 'algorithm' });
    spec.given([]).when(create({ purpose: 'sign', algorithm: 'AES_256_GCM' })).thenThrows('VALIDATION_FAILED');
  });

  it.each([
    ['unknown algorithm', { algorithm: 'DES' }],
    ['unknown purpose', { purpose: 'wrap' }],
    ['unknown mode', { mode: 'exported' }],
    ['provider with a separator', { provider: 'aws/../x' }],
    ['rotation period 0', { rotationPeriodDays: 0 }],
    ['rotation period 3651', { rotationPeriodDays: 3651 }],
    ['fractional rotation period', { rotationPeriodDays: 1.5 }],
    ['material of the other mode', { material: { mode: 'provider-resident', providerKeyRef: 'x' } }],
    ['material hash that is not SHA-256 hex', { material: { ...wrapped(1), wrappedMaterialSha256: 'abc' } }],
    ['missing master key reference', { material: { mode: 'wrapped', wrappedMaterialSha256: '0'.repeat(64) } }],
    ['missing material', { material: undefined }],
  ])('refuses bad input: %s', (_name, rest) => {
    spec.given([]).when(create(rest)).thenThrows('VALIDATION_FAILED');
  });

  it('accepts the rotation period bounds 1 and 3650', () => {
    expect(spec.given([]).when(create({ rotationPeriodDays: 1 })).run().state).toMatchObject({ rotationPeriodDays: 1 });
    expect(spec.given([]).when(create({ rotationPeriodDays: 3650 })).run().state).toMatchObject({
      rotationPeriodDays: 3650,
    });
  });

  it.each([
    ['tenantId', { tenantId: 'acme:evil' }],
    ['keyId', { keyId: 'a/b' }],
    ['keyId', { keyId: 'line\nbreak' }],
    ['now', { now: new Date('nope') }],
  ])('refuses a bad %s on every command', (field, patch) => {
    const error = spec.given([]).when({ ...create(), ...patch } as never).thenThrows('VALIDATION_FAILED');
    expect(error).toMatchObject({ field });
  });

  it('refuses an unknown command type as bad input', () => {
    spec.given([]).when({ ...create(), type: 'ExportKey' } as never).thenThrows('VALIDATION_FAILED');
  });

  it('never copies anything but the material reference into the event', () => {
    const leaky = { ...wrapped(1), plaintext: 'c2VjcmV0' };
    const { events } = spec.given([]).when(create({ material: leaky })).run();
    expect(JSON.stringify(events)).not.toContain('c2VjcmV0');
  });

  it('refuses to create a key that exists, or existed', () => {
    spec.given([created()]).when(create()).thenThrows('KEY_ALREADY_EXISTS');
    spec.given([created(), deletionScheduled(1, 7), destroyed(8)]).when(create()).thenThrows('KEY_ALREADY_EXISTS');
  });
});

describe('Key decider: rotation and configuration', () => {
  const rotate = (day: number, version: number, reason = 'scheduled') =>
    keyCommand('RotateKey', day, { reason: reason as 'scheduled', material: wrapped(version) });

  it('adds the next version and makes it primary', () => {
    spec.given([created()]).when(rotate(90, 2)).then([rotated(2, 90)]);
    const { state } = spec.given([created(), rotated(2, 90)]).when(rotate(180, 3)).run();
    expect(state).toMatchObject({ primaryVersion: 3, lastRotatedAt: iso(180), minDecryptionVersion: 1 });
    expect(state.status !== 'Absent' && state.versions.map((v) => v.version)).toEqual([1, 2, 3]);
  });

  it.each(['manual', 'emergency'])('records rotation reason %s', (reason) => {
    const { events } = spec.given([created()]).when(rotate(3, 2, reason)).run();
    expect(events[0]).toMatchObject({ data: { reason } });
  });

  it('refuses an unknown rotation reason and material of the wrong mode', () => {
    spec.given([created()]).when(rotate(3, 2, 'whim')).thenThrows('VALIDATION_FAILED');
    const command = keyCommand('RotateKey', 3, {
      reason: 'manual',
      material: { mode: 'provider-resident', providerKeyRef: 'x' },
    });
    spec.given([created()]).when(command).thenThrows('VALIDATION_FAILED');
  });

  it('a disabled key cannot rotate', () => {
    spec.given([created(), disabled(1)]).when(rotate(2, 2)).thenThrows('KEY_DISABLED');
  });

  it('sets minDecryptionVersion within 1..primary', () => {
    const history = [created(), rotated(2, 90), rotated(3, 180)];
    const { state } = spec.given(history).when(keyCommand('SetMinDecryptionVersion', 181, { minDecryptionVersion: 3 })).run();
    expect(state).toMatchObject({ minDecryptionVersion: 3 });
    spec.given(history).when(keyCommand('SetMinDecryptionVersion', 181, { minDecryptionVersion: 4 })).thenThrows('VALIDATION_FAILED');
    spec.given(history).when(keyCommand('SetMinDecryptionVersion', 181, { minDecryptionVersion: 0 })).thenThrows('VALIDATION_FAILED');
  });

  it('changes the rotation period within 1..3650 days, also while disabled', () => {
    const { events, state } = spec
      .given([created(), disabled(1)])
      .when(keyCommand('ChangeRotationPeriod', 2, { rotationPeriodDays: 30 }))
      .run();
    expect(events).toEqual([
      { type: 'KeyRotationPeriodChanged', schemaVersion: 1, data: { ...ids, rotationPeriodDays: 30, changedAt: iso(2) } },
    ]);
    expect(state).toMatchObject({ status: 'Disabled', rotationPeriodDays: 30 });
    spec.given([created()]).when(keyCommand('ChangeRotationPeriod', 2, { rotationPeriodDays: 0 })).thenThrows('VALIDATION_FAILED');
  });
});

describe('Key decider: state rules', () => {
  const all = (day: number) => [
    keyCommand('RotateKey', day, { reason: 'manual', material: wrapped(9) }),
    keyCommand('DisableKey', day, {}),
    keyCommand('EnableKey', day, {}),
    keyCommand('ScheduleKeyDeletion', day, {}),
    keyCommand('CancelKeyDeletion', day, {}),
    keyCommand('DestroyKey', day, {}),
    keyCommand('SetMinDecryptionVersion', day, { minDecryptionVersion: 1 }),
    keyCommand('ChangeRotationPeriod', day, { rotationPeriodDays: 10 }),
  ];

  it('a key that does not exist accepts only creation', () => {
    for (const command of all(1)) spec.given([]).when(command).thenThrows('KEY_NOT_FOUND');
  });

  it('disables an enabled key and enables it again', () => {
    spec.given([created()]).when(keyCommand('DisableKey', 1, {})).then([disabled(1)]);
    spec.given([created(), disabled(1)]).when(keyCommand('EnableKey', 2, {})).then([enabled(2)]);
  });

  it('refuses to disable a disabled key or enable an enabled one', () => {
    spec.given([created(), disabled(1)]).when(keyCommand('DisableKey', 2, {})).thenThrows('INVALID_STATE_TRANSITION');
    spec.given([created()]).when(keyCommand('EnableKey', 2, {})).thenThrows('INVALID_STATE_TRANSITION');
  });

  it('schedules deletion with a 30-day default window, from enabled or disabled', () => {
    spec.given([created()]).when(keyCommand('ScheduleKeyDeletion', 1, {})).then([deletionScheduled(1)]);
    spec.given([created(), disabled(1)]).when(keyCommand('ScheduleKeyDeletion', 2, { pendingWindowDays: 7 })).then([
      deletionScheduled(2, 7),
    ]);
  });

  it.each([6, 31, 7.5])('refuses a deletion window of %s days', (pendingWindowDays) => {
    spec.given([created()]).when(keyCommand('ScheduleKeyDeletion', 1, { pendingWindowDays })).thenThrows('VALIDATION_FAILED');
  });

  it('a key pending deletion accepts only cancel or destroy', () => {
    const history = [created(), deletionScheduled(1, 7)];
    for (const command of all(2).filter((c) => c.type !== 'CancelKeyDeletion' && c.type !== 'DestroyKey')) {
      const error = spec.given(history).when(command).thenThrows('KEY_PENDING_DELETION');
      expect(error).toMatchObject({ deleteAfter: iso(8), key: ids });
    }
  });

  it('cancelling deletion leaves the key disabled', () => {
    const { events, state } = spec.given([created(), deletionScheduled(1)]).when(keyCommand('CancelKeyDeletion', 2, {})).run();
    expect(events).toEqual([deletionCancelled(2)]);
    expect(state.status).toBe('Disabled');
  });

  it('refuses to cancel when no deletion is scheduled', () => {
    spec.given([created()]).when(keyCommand('CancelKeyDeletion', 2, {})).thenThrows('INVALID_STATE_TRANSITION');
  });

  it('destroys only once deleteAfter has passed', () => {
    const history = [created(), deletionScheduled(1, 7)];
    const early = spec.given(history).when(keyCommand('DestroyKey', 7.9, {})).thenThrows('KEY_DELETION_NOT_DUE');
    expect(early).toMatchObject({ deleteAfter: iso(8) });
    spec.given(history).when(keyCommand('DestroyKey', 8, {})).then([destroyed(8)]);
  });

  it('refuses to destroy a key without scheduled deletion', () => {
    spec.given([created()]).when(keyCommand('DestroyKey', 400, {})).thenThrows('INVALID_STATE_TRANSITION');
  });

  it('a destroyed key accepts nothing', () => {
    const history = [created(), deletionScheduled(1, 7), destroyed(8)];
    for (const command of all(9)) spec.given(history).when(command).thenThrows('KEY_DESTROYED');
  });
});

describe('Key evolve', () => {
  it('ignores events for a key that was never created', () => {
    expect(keyDecider.evolve(keyDecider.initialState(), disabled(1))).toEqual({ status: 'Absent' });
  });

  it('fails loudly on an event type it does not know', () => {
    const unknown = { type: 'KeyExported', schemaVersion: 1, data: {} } as unknown as KeyEvent;
    expect(() => keyDecider.evolve(keyDecider.initialState(), unknown)).toThrow('Unhandled key event: KeyExported');
  });

  it('keeps version history across disable, enable and deletion cancel', () => {
    const events = [created(), rotated(2, 90), disabled(91), enabled(92), deletionScheduled(93), deletionCancelled(94)];
    const state = events.reduce(keyDecider.evolve, keyDecider.initialState());
    expect(state).toMatchObject({ status: 'Disabled', primaryVersion: 2, lastRotatedAt: iso(90), createdAt: iso(0) });
    expect(at(0).toISOString()).toBe(iso(0));
  });
});
