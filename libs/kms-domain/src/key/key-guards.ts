import {
  InvalidStateTransitionError,
  KeyDestroyedError,
  KeyNotFoundError,
  KeyPendingDeletionError,
  ValidationError,
} from '../errors/domain-errors';
import { requireHex, requireName } from '../shared/validation';
import type { PendingKeyCommand } from './key-commands';
import type { ExistingKeyState, KeyData, KeyState } from './key-state';
import type { KeyMaterialRef, KeyMode } from './key-types';

export type LiveKeyState = Exclude<ExistingKeyState, { status: 'Destroyed' }>;
export type ModifiableKeyState = Extract<KeyState, { status: 'Enabled' | 'Disabled' }>;

/** The key exists and was not destroyed. */
export function requireLiveKey(state: KeyState, command: PendingKeyCommand): LiveKeyState {
  if (state.status === 'Absent') throw new KeyNotFoundError(command);
  if (state.status === 'Destroyed') throw new KeyDestroyedError(command);
  return state;
}

/** The key is Enabled or Disabled: a key pending deletion only accepts cancel or destroy. */
export function requireModifiableKey(state: KeyState, command: PendingKeyCommand): ModifiableKeyState {
  const live = requireLiveKey(state, command);
  if (live.status === 'PendingDeletion') throw new KeyPendingDeletionError(command, live.deleteAfter);
  return live;
}

export function refuseTransition(state: KeyState, command: PendingKeyCommand, detail?: string): never {
  throw new InvalidStateTransitionError('Key', state.status, command.type, detail);
}

/**
 * Validates a material reference and rebuilds it from its known fields only, so nothing else a
 * caller put in the object (by mistake, key material) can reach an event.
 */
export function requireMaterial(value: unknown, mode: KeyMode): KeyMaterialRef {
  const material = value as Partial<Record<string, unknown>> | null | undefined;
  if (material?.mode !== mode) {
    throw new ValidationError('material.mode', `expected '${mode}', the key's mode`);
  }
  if (mode === 'wrapped') {
    return {
      mode,
      wrappedMaterialSha256: requireHex('material.wrappedMaterialSha256', material.wrappedMaterialSha256, 64),
      masterKeyRef: requireName('material.masterKeyRef', material.masterKeyRef),
    };
  }
  return { mode, providerKeyRef: requireName('material.providerKeyRef', material.providerKeyRef) };
}

/** Key identity fields for events. */
export function keyIds(key: KeyData): { tenantId: string; keyId: string } {
  return { tenantId: key.tenantId, keyId: key.keyId };
}
