import { authorizeKeyUse, deciderSpec, foldEvents, keyDecider, retentionTrimTarget, type KeyData, type KeyEvent } from '../index';
import { created, ids, iso, keyCommand, rotated } from '../../test/fixtures/key-fixtures';

const spec = deciderSpec(keyDecider);
const v4 = [created(), rotated(2, 10), rotated(3, 20), rotated(4, 30)];
const minDec = (n: number, day = 31): KeyEvent => ({ type: 'KeyMinDecryptionVersionSet', schemaVersion: 1, data: { ...ids, minDecryptionVersion: n, setAt: iso(day) } });
const minEnc = (n: number, day = 31): KeyEvent => ({ type: 'KeyMinEncryptionVersionSet', schemaVersion: 1, data: { ...ids, minEncryptionVersion: n, setAt: iso(day) } });
const trimmed = (n: number, previous = 1, day = 32): KeyEvent => ({
  type: 'KeyVersionsTrimmed',
  schemaVersion: 1,
  data: { ...ids, minAvailableVersion: n, previousMinAvailableVersion: previous, trimmedAt: iso(day) },
});
const codeOf = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (error) {
    return (error as { code?: unknown }).code;
  }
  throw new Error('expected a refusal');
};

describe('Key decider: minEncryptionVersion', () => {
  it('can be set to 0 (primary only) or to minDecryptionVersion..primary', () => {
    spec.given(v4).when(keyCommand('SetMinEncryptionVersion', 31, { minEncryptionVersion: 2 })).then([minEnc(2)]);
    spec.given(v4).when(keyCommand('SetMinEncryptionVersion', 31, { minEncryptionVersion: 0 })).then([minEnc(0)]);
  });

  it('refuses a value below minDecryptionVersion or above the primary', () => {
    spec.given([...v4, minDec(3, 30)]).when(keyCommand('SetMinEncryptionVersion', 31, { minEncryptionVersion: 2 })).thenThrows('VALIDATION_FAILED');
    spec.given(v4).when(keyCommand('SetMinEncryptionVersion', 31, { minEncryptionVersion: 5 })).thenThrows('VALIDATION_FAILED');
  });

  it('keeps minDecryptionVersion at or below a set minEncryptionVersion', () => {
    spec.given([...v4, minEnc(2, 30)]).when(keyCommand('SetMinDecryptionVersion', 31, { minDecryptionVersion: 3 })).thenThrows('VALIDATION_FAILED');
  });
});

describe('Key decider: trim', () => {
  it('trims below a version at most both minimums', () => {
    const given = [...v4, minDec(3, 30), minEnc(3, 30)];
    spec.given(given).when(keyCommand('TrimKeyVersions', 32, { minAvailableVersion: 3 })).then([trimmed(3)]);
    spec.given(given).when(keyCommand('TrimKeyVersions', 32, { minAvailableVersion: 4 })).thenThrows('VALIDATION_FAILED');
  });

  it('refuses a trim that would not raise minAvailableVersion, and a lower minDecryptionVersion after it', () => {
    const done = [...v4, minDec(3, 30), trimmed(3)];
    spec.given(done).when(keyCommand('TrimKeyVersions', 33, { minAvailableVersion: 3 })).thenThrows('VALIDATION_FAILED');
    spec.given(done).when(keyCommand('SetMinDecryptionVersion', 33, { minDecryptionVersion: 2 })).thenThrows('VALIDATION_FAILED');
  });

  it('refuses a trim past the encryption floor', () => {
    spec.given([...v4, minDec(2, 30), minEnc(2, 30)]).when(keyCommand('TrimKeyVersions', 32, { minAvailableVersion: 3 })).thenThrows('VALIDATION_FAILED');
  });
});

describe('authorizeKeyUse with a version policy', () => {
  const key = foldEvents(keyDecider, [...v4, minDec(2, 30), minEnc(3, 30), trimmed(2)]);
  const use = (operation: 'sign' | 'verify', version?: number) => ({ ...ids, operation, version });

  it('signs with a named version at or above minEncryptionVersion, and the primary by default', () => {
    expect(authorizeKeyUse(key, use('sign')).version).toBe(4);
    expect(authorizeKeyUse(key, use('sign', 3)).version).toBe(3);
    expect(codeOf(() => authorizeKeyUse(key, use('sign', 2)))).toBe('KEY_VERSION_NOT_ALLOWED');
    expect(codeOf(() => authorizeKeyUse(key, use('sign', 5)))).toBe('KEY_VERSION_NOT_ALLOWED');
  });

  it('with minEncryptionVersion 0 only the primary signs', () => {
    const primaryOnly = foldEvents(keyDecider, v4);
    expect(codeOf(() => authorizeKeyUse(primaryOnly, use('sign', 3)))).toBe('KEY_VERSION_NOT_ALLOWED');
    expect(authorizeKeyUse(primaryOnly, use('sign', 4)).version).toBe(4);
  });

  it('answers KEY_VERSION_DESTROYED for a trimmed version', () => {
    expect(codeOf(() => authorizeKeyUse(key, use('verify', 1)))).toBe('KEY_VERSION_DESTROYED');
    expect(authorizeKeyUse(key, use('verify', 2)).version).toBe(2);
  });
});

describe('retentionTrimTarget', () => {
  const stateOf = (...events: KeyEvent[]) => foldEvents(keyDecider, events) as unknown as KeyData;
  const retain = (n: number): KeyEvent => ({ type: 'KeyRetainVersionsSet', schemaVersion: 1, data: { ...ids, retainVersions: n, setAt: iso(30) } });

  it('is off by default', () => {
    expect(stateOf(...v4, minDec(4)).retainVersions).toBe(0);
    expect(retentionTrimTarget(stateOf(...v4, minDec(4)))).toBeNull();
  });

  it('keeps the newest retainVersions, never past either minimum', () => {
    expect(retentionTrimTarget(stateOf(...v4, retain(2)))).toBeNull(); // minDecryptionVersion is still 1
    expect(retentionTrimTarget(stateOf(...v4, retain(2), minDec(4)))).toBe(3);
    expect(retentionTrimTarget(stateOf(...v4, retain(2), minDec(2)))).toBe(2);
    expect(retentionTrimTarget(stateOf(...v4, retain(2), minDec(4), trimmed(3)))).toBeNull();
  });
});
