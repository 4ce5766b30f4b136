import { checkKeyCommand, decideKey, foldEvents, keyDecider, type KeyCommand, type KeyEvent, type PendingKeyCommand } from '../index';
import { created, disabled, keyCommand, wrapped } from '../../test/fixtures/key-fixtures';

const codeOf = (run: () => unknown): string | null => {
  try {
    run();
    return null;
  } catch (error) {
    return (error as { code?: string }).code ?? 'NO_CODE';
  }
};

const stateOf = (events: KeyEvent[]) => foldEvents(keyDecider, events);
const withoutMaterial = (command: KeyCommand): PendingKeyCommand => {
  const { material: _material, ...rest } = command as KeyCommand & { material?: unknown };
  return rest as PendingKeyCommand;
};

describe('Key guard step (checkKeyCommand): the decider’s refusals, before any material exists', () => {
  const create = (rest: Record<string, unknown> = {}) => keyCommand('CreateKey', 0, { purpose: 'sign', provider: 'aws', mode: 'wrapped', material: wrapped(1), ...rest });
  const rotate = (rest: Record<string, unknown> = {}) => keyCommand('RotateKey', 1, { reason: 'manual', material: wrapped(2), ...rest });

  it.each([
    ['create of an existing key', [created()], create()],
    ['create with a bad algorithm', [], create({ algorithm: 'DES' })],
    ['create with an algorithm of another purpose', [], create({ purpose: 'encrypt', algorithm: 'ED25519' })],
    ['create with a rotation period of 0', [], create({ rotationPeriodDays: 0 })],
    ['create with a bad key id', [], create({ keyId: 'a/b' })],
    ['rotate of a missing key', [], rotate()],
    ['rotate of a disabled key', [created(), disabled(0.5)], rotate()],
    ['rotate for an unknown reason', [created()], rotate({ reason: 'bored' })],
    ['enable of an enabled key', [created()], keyCommand('EnableKey', 1, {})],
  ] as [string, KeyEvent[], KeyCommand][])('refuses %s with the code decideKey throws', (_what, given, command) => {
    const state = stateOf(given);
    const expected = codeOf(() => decideKey(command, state));
    expect(expected).not.toBeNull();
    expect(codeOf(() => checkKeyCommand(withoutMaterial(command), state))).toBe(expected);
  });

  it('passes create and rotate without material when the decision would pass with it', () => {
    expect(codeOf(() => checkKeyCommand(withoutMaterial(create()), stateOf([])))).toBeNull();
    expect(codeOf(() => checkKeyCommand(withoutMaterial(rotate()), stateOf([created()])))).toBeNull();
  });

  it('leaves the material checks to the decision itself', () => {
    expect(codeOf(() => decideKey(create({ material: { mode: 'wrapped', wrappedMaterialSha256: 'abc' } }), stateOf([])))).toBe('VALIDATION_FAILED');
  });
});
