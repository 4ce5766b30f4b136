import { authorizeKeyUse, foldEvents, keyDecider, type KeyEvent, type KeyUseRequest } from '../index';
import { created, deletionScheduled, destroyed, disabled, ids, rotated } from '../../test/fixtures/key-fixtures';

const stateOf = (...events: KeyEvent[]) => foldEvents(keyDecider, events);
const use = (operation: KeyUseRequest['operation'], version?: number): KeyUseRequest => ({ ...ids, operation, version });
const codeOf = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (error) {
    return (error as { code?: unknown }).code;
  }
  throw new Error('expected a refusal');
};

describe('authorizeKeyUse', () => {
  const key = stateOf(created(), rotated(2, 90), rotated(3, 180));

  it('signs with the primary version', () => {
    expect(authorizeKeyUse(key, use('sign')).version).toBe(3);
  });

  it('verifies with an older version until it falls below minDecryptionVersion', () => {
    expect(authorizeKeyUse(key, use('verify', 1)).version).toBe(1);
    const raised = keyDecider.evolve(key, {
      type: 'KeyMinDecryptionVersionSet',
      schemaVersion: 1,
      data: { ...ids, minDecryptionVersion: 2, setAt: '2025-07-01T00:00:00.000Z' },
    });
    expect(codeOf(() => authorizeKeyUse(raised, use('verify', 1)))).toBe('KEY_VERSION_NOT_ALLOWED');
    expect(authorizeKeyUse(raised, use('verify', 2)).version).toBe(2);
  });

  it('refuses a version that does not exist, or none given for verify', () => {
    expect(codeOf(() => authorizeKeyUse(key, use('verify', 4)))).toBe('KEY_VERSION_NOT_ALLOWED');
    expect(codeOf(() => authorizeKeyUse(key, use('verify')))).toBe('KEY_VERSION_NOT_ALLOWED');
  });

  it('refuses operations that do not fit the purpose', () => {
    expect(codeOf(() => authorizeKeyUse(key, use('encrypt')))).toBe('VALIDATION_FAILED');
    expect(codeOf(() => authorizeKeyUse(key, use('decrypt', 1)))).toBe('VALIDATION_FAILED');
  });

  it('a disabled key cannot sign or encrypt (fails closed for every operation)', () => {
    const off = stateOf(created(), disabled(1));
    expect(codeOf(() => authorizeKeyUse(off, use('sign')))).toBe('KEY_DISABLED');
    expect(codeOf(() => authorizeKeyUse(off, use('verify', 1)))).toBe('KEY_DISABLED');
  });

  it('refuses absent, pending-deletion and destroyed keys with their own codes', () => {
    expect(codeOf(() => authorizeKeyUse(stateOf(), use('sign')))).toBe('KEY_NOT_FOUND');
    expect(codeOf(() => authorizeKeyUse(stateOf(created(), deletionScheduled(1)), use('sign')))).toBe('KEY_PENDING_DELETION');
    const gone = stateOf(created(), deletionScheduled(1, 7), destroyed(8));
    expect(codeOf(() => authorizeKeyUse(gone, use('sign')))).toBe('KEY_DESTROYED');
  });

  it('fails loudly on a state it does not know', () => {
    expect(() => authorizeKeyUse({ status: 'Exported' } as never, use('sign'))).toThrow('Unhandled key state');
  });
});
