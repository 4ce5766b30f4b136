import type { BreakGlassEvent } from '../break-glass/break-glass-events';
import type { BreakerEvent } from '../breaker/breaker-events';
import type { KeyEvent } from '../key/key-events';
import type { KeyMaterialWrapped } from '../key/key-material';
import type { RotationJobsEvent } from '../rotation-job/rotation-job-events';
import type { SignerRegistryEvent } from '../signer-registry/signer-registry-types';
import type { SigningFreezeEvent } from '../signing-freeze/signing-freeze';

/** Every domain event keyledger persists. */
export type KeyledgerEvent =
  | KeyEvent
  | KeyMaterialWrapped
  | BreakGlassEvent
  | SigningFreezeEvent
  | SignerRegistryEvent
  | BreakerEvent
  | RotationJobsEvent;

export type KeyledgerEventType = KeyledgerEvent['type'];

/**
 * Current schema version of every event type (the catalogue is docs/events.md). Readers use it to
 * reject or upcast older payloads; a change to an event's data bumps its entry here.
 */
export const EVENT_SCHEMA_VERSIONS: Readonly<Record<KeyledgerEventType, number>> = {
  KeyCreated: 1,
  KeyRotated: 1,
  KeyDisabled: 1,
  KeyEnabled: 1,
  KeyDeletionScheduled: 1,
  KeyDeletionCancelled: 1,
  KeyDestroyed: 1,
  KeyMinDecryptionVersionSet: 1,
  KeyRotationPeriodChanged: 1,
  KeyRotationFailed: 1,
  KeyMinEncryptionVersionSet: 1,
  KeyVersionsTrimmed: 1,
  KeyRetainVersionsSet: 1,
  KeyMaterialWrapped: 1,
  BreakGlassRequested: 1,
  BreakGlassApproved: 1,
  BreakGlassActivated: 1,
  BreakGlassSignatureIssued: 1,
  BreakGlassEmergencyKeyLost: 1,
  BreakGlassClosed: 1,
  BreakGlassExpired: 1,
  BreakGlassEmergencyKeyDestroyed: 1,
  SigningFrozen: 1,
  SigningResumed: 1,
  SignerRegistered: 1,
  SignerRetired: 2,
  BreakerOpened: 1,
  BreakerHalfOpened: 1,
  BreakerClosed: 1,
  BreakerOutageConfirmed: 1,
  BreakerOutageEnded: 1,
  RotationJobClaimed: 1,
  RotationJobStarted: 1,
  RotationJobProgressed: 1,
  RotationJobResumed: 1,
  RotationJobCompleted: 1,
};

/** True when `type` names a known event type. */
export function isKeyledgerEventType(type: unknown): type is KeyledgerEventType {
  return typeof type === 'string' && Object.prototype.hasOwnProperty.call(EVENT_SCHEMA_VERSIONS, type);
}
