import type { Decider } from '../shared/decider';
import { unknownCommand } from '../shared/assert-never';
import { requireDate, requireId } from '../shared/validation';
import type { KeyCommand } from './key-commands';
import { changeRotationPeriod, recordKeyRotationFailure, rotateKey, setMinDecryptionVersion } from './key-config';
import { createKey } from './key-create';
import type { KeyEvent } from './key-events';
import { cancelKeyDeletion, destroyKey, disableKey, enableKey, scheduleKeyDeletion } from './key-lifecycle';
import { evolveKey, initialKeyState, type KeyState } from './key-state';

/** Decides one command against a key's state; throws a typed domain error when refused. */
export function decideKey(command: KeyCommand, state: KeyState): KeyEvent[] {
  requireId('tenantId', command.tenantId);
  requireId('keyId', command.keyId);
  requireDate('now', command.now);
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
