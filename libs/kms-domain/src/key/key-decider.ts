import type { Decider } from '../shared/decider';
import { unknownCommand } from '../shared/assert-never';
import { requireDate, requireId } from '../shared/validation';
import type { KeyCommand, PendingKeyCommand } from './key-commands';
import { changeRotationPeriod, checkRotateKey, recordKeyRotationFailure, rotateKey, setMinDecryptionVersion } from './key-config';
import { checkCreateKey, createKey } from './key-create';
import type { KeyEvent } from './key-events';
import { cancelKeyDeletion, destroyKey, disableKey, enableKey, scheduleKeyDeletion } from './key-lifecycle';
import { setMinEncryptionVersion, setRetainVersions, trimKeyVersions } from './key-version-policy';
import { evolveKey, initialKeyState, type KeyState } from './key-state';

function requireCommandBase(command: PendingKeyCommand): void {
  requireId('tenantId', command.tenantId);
  requireId('keyId', command.keyId);
  requireDate('now', command.now);
}

/**
 * The guard step: throws the typed error `decideKey` would throw for this command, without its
 * side effect's result (CreateKey and RotateKey without material), so a caller checks before it
 * provisions anything. The guards are the decider's own: `decideKey` runs them again.
 */
export function checkKeyCommand(command: PendingKeyCommand, state: KeyState): void {
  requireCommandBase(command);
  switch (command.type) {
    case 'CreateKey':
      checkCreateKey(command, state);
      return;
    case 'RotateKey':
      checkRotateKey(command, state);
      return;
    default:
      // No side effect completes these: the decision itself is the check (pure, nothing kept).
      decideKey(command, state);
  }
}

/** Decides one command against a key's state; throws a typed domain error when refused. */
export function decideKey(command: KeyCommand, state: KeyState): KeyEvent[] {
  requireCommandBase(command);
  switch (command.type) {
    case 'CreateKey':
      return createKey(command, state);
    case 'RotateKey':
      return rotateKey(command, state);
    case 'DisableKey':
      return disableKey(command, state);
    case 'EnableKey':
      return enableKey(command, state);
    case 'ScheduleKeyDeletion':
      return scheduleKeyDeletion(command, state);
    case 'CancelKeyDeletion':
      return cancelKeyDeletion(command, state);
    case 'DestroyKey':
      return destroyKey(command, state);
    case 'SetMinDecryptionVersion':
      return setMinDecryptionVersion(command, state);
    case 'ChangeRotationPeriod':
      return changeRotationPeriod(command, state);
    case 'RecordKeyRotationFailure':
      return recordKeyRotationFailure(command, state);
    case 'SetMinEncryptionVersion':
      return setMinEncryptionVersion(command, state);
    case 'TrimKeyVersions':
      return trimKeyVersions(command, state);
    case 'SetRetainVersions':
      return setRetainVersions(command, state);
    default:
      return unknownCommand(command);
  }
}

/** The Key aggregate (one stream per tenant key, see `keyStream`). */
export const keyDecider: Decider<KeyCommand, KeyEvent, KeyState> = {
  decide: decideKey,
  evolve: evolveKey,
  initialState: initialKeyState,
};
