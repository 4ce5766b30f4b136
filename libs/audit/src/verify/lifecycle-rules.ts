import { KEY_EVENT_TYPES, hasEventType, type KeyEvent, type KeyledgerEvent, type RecordedEvent } from '@keyledger/kms-domain';
import type { Report } from './findings';

type Status = 'Enabled' | 'Disabled' | 'PendingDeletion' | 'Destroyed';

interface KeyTrack {
  status: Status;
  primary: number;
  deleteAfter: number;
  /** Versions below it were trimmed. */
  minAvailable: number;
}

/**
 * Key lifecycle rules replayed from the key streams: a key starts with KeyCreated; rotation only
 * while Enabled and to the next version; state changes only from the states that allow them;
 * destruction only after the pending window; trims only raise minAvailableVersion; nothing at all
 * happens to a destroyed key, in its own stream, its material stream or the signer registry; and
 * no material or signer is recorded for a trimmed version.
 */
export class LifecycleRules {
  private readonly keys = new Map<string, KeyTrack>();

  /** Checks one event, `decoded` being its decoded form (the schema check decoded it). */
  check(event: RecordedEvent, decoded: KeyledgerEvent, report: Report): void {
    const problem = this.problem(event, decoded);
    if (problem !== null) report({ position: event.position, stream: event.streamName, rule: 'key-lifecycle', detail: problem });
  }

  private problem(event: RecordedEvent, e: KeyledgerEvent): string | null {
    if (e.type === 'KeyMaterialWrapped' || e.type === 'SignerRegistered') return this.useProblem(e);
    if (!event.streamName.startsWith('key-') || !hasEventType(e, KEY_EVENT_TYPES)) return null;
    const name = `${e.data.tenantId}:${e.data.keyId}`;
    const k = this.keys.get(name);
    if (e.type === 'KeyCreated') {
      if (k) return 'KeyCreated for a key that already exists';
      this.keys.set(name, { status: 'Enabled', primary: 1, deleteAfter: 0, minAvailable: 1 });
      return null;
    }
    if (!k) return `${e.type} before KeyCreated`;
    if (k.status === 'Destroyed') return `${e.type} after KeyDestroyed: a destroyed key accepts nothing`;
    return transition(k, e);
  }

  private useProblem(event: Extract<KeyledgerEvent, { type: 'KeyMaterialWrapped' | 'SignerRegistered' }>): string | null {
    const owner = event.type === 'SignerRegistered' ? event.data.owner : { kind: 'key-version' as const, tenantId: event.data.tenantId, keyId: event.data.keyId, version: event.data.version };
    if (owner.kind !== 'key-version') return null;
    const k = this.keys.get(`${owner.tenantId}:${owner.keyId}`);
    if (k?.status === 'Destroyed') return `${event.type} for destroyed key ${owner.tenantId}:${owner.keyId}`;
    return k !== undefined && owner.version < k.minAvailable ? `${event.type} for trimmed version ${owner.version} of ${owner.tenantId}:${owner.keyId}` : null;
  }
}

function transition(k: KeyTrack, e: Exclude<KeyEvent, { type: 'KeyCreated' }>): string | null {
  const from = k.status;
  switch (e.type) {
    case 'KeyRotated':
      if (from !== 'Enabled') return `rotation while the key is ${from}`;
      if (e.data.version !== k.primary + 1) return `rotation to version ${e.data.version}, expected ${k.primary + 1}`;
      k.primary = e.data.version;
      return null;
    case 'KeyDisabled':
      if (from !== 'Enabled') return refused(e.type, from);
      k.status = 'Disabled';
      return null;
    case 'KeyEnabled':
      if (from !== 'Disabled') return refused(e.type, from);
      k.status = 'Enabled';
      return null;
    case 'KeyDeletionScheduled':
      if (from === 'PendingDeletion') return refused(e.type, from);
      k.status = 'PendingDeletion';
      k.deleteAfter = Date.parse(e.data.deleteAfter);
      return null;
    case 'KeyDeletionCancelled':
      if (from !== 'PendingDeletion') return refused(e.type, from);
      k.status = 'Disabled';
      return null;
    case 'KeyDestroyed': {
      const early = from === 'PendingDeletion' && Date.parse(e.data.destroyedAt) < k.deleteAfter;
      k.status = 'Destroyed';
      if (from !== 'PendingDeletion') return refused(e.type, from);
      return early ? `destroyed at ${e.data.destroyedAt}, before the pending window ended` : null;
    }
    case 'KeyMinDecryptionVersionSet':
      if (from === 'PendingDeletion') return refused(e.type, from);
      return e.data.minDecryptionVersion > k.primary ? `minimum version ${e.data.minDecryptionVersion} above primary ${k.primary}` : null;
    case 'KeyRotationPeriodChanged':
    case 'KeyMinEncryptionVersionSet':
    case 'KeyRetainVersionsSet':
      return from === 'PendingDeletion' ? refused(e.type, from) : null;
    case 'KeyVersionsTrimmed': {
      if (from === 'PendingDeletion') return refused(e.type, from);
      const previous = k.minAvailable;
      k.minAvailable = Math.max(previous, e.data.minAvailableVersion);
      if (e.data.minAvailableVersion <= previous) return `trim to version ${e.data.minAvailableVersion} does not raise minAvailableVersion ${previous}`;
      return e.data.minAvailableVersion > k.primary ? `trim to version ${e.data.minAvailableVersion} above primary ${k.primary}` : null;
    }
    case 'KeyRotationFailed':
      // A failed attempt changes nothing; it must still name the current primary.
      return e.data.primaryVersion === k.primary ? null : `failed rotation names primary ${e.data.primaryVersion}, the key's is ${k.primary}`;
    default: {
      const never: never = e;
      return `unknown key event ${String((never as { type: string }).type)}`;
    }
  }
}

function refused(type: string, from: Status): string {
  return `${type} while the key is ${from}`;
}
