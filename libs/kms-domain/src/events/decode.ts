import type { BreakGlassEvent } from '../break-glass/break-glass-events';
import type { BreakerEvent } from '../breaker/breaker-events';
import { KEY_EVENT_TYPES, type KeyEvent } from '../key/key-events';
import type { KeyMaterialWrapped } from '../key/key-material';
import type { RotationJobClaimed, RotationJobEvent } from '../rotation-job/rotation-job-events';
import type { SignerRegistryEvent } from '../signer-registry/signer-registry-types';
import type { SigningFreezeEvent } from '../signing-freeze/signing-freeze';
import { EVENT_SCHEMA_VERSIONS, type KeyledgerEvent, type KeyledgerEventType } from './catalogue';
import { EventDecodeError, type DecodeFault, type StoredEventRef } from './event-decode-error';
import { EVENT_DATA_SHAPES } from './event-shapes';
import { shapeFault, type DataShape } from './field-checks';
import { EVENT_UPCASTERS, type Upcaster } from './upcasters';

/** What the decoder reads: a stored event's type, schema version and data (a `RecordedEvent` fits). */
export interface StoredEvent extends StoredEventRef {
  readonly data: unknown;
}

/** The decoder's answer without throwing: the typed event, or why the stored one does not decode. */
export type DecodeResult<E extends KeyledgerEvent = KeyledgerEvent> = { readonly ok: true; readonly event: E } | { readonly ok: false; readonly fault: DecodeFault };

interface TypeEntry {
  readonly version: number;
  readonly shape: DataShape;
  readonly upcasters: Readonly<Record<number, Upcaster>>;
}

/** One lookup per event: the catalogue's version, shape and upcasters of each type. */
const ENTRIES: ReadonlyMap<string, TypeEntry> = new Map(
  (Object.keys(EVENT_SCHEMA_VERSIONS) as KeyledgerEventType[]).map((type) => [
    type,
    { version: EVENT_SCHEMA_VERSIONS[type], shape: EVENT_DATA_SHAPES[type], upcasters: EVENT_UPCASTERS[type] ?? {} },
  ]),
);

const fail = (fault: DecodeFault): DecodeResult<never> => ({ ok: false, fault });

/**
 * The one decoder, without throwing (the audit verifier reports a fault as a finding): checks the
 * type against `EVENT_SCHEMA_VERSIONS`, the schema version (1..current), upcasts older data one
 * version at a time through `EVENT_UPCASTERS`, then checks the data against the current shape.
 * The event returned is at the current version; its data is the stored object when no upcaster ran.
 */
export function tryDecodeEvent(stored: StoredEvent): DecodeResult {
  const entry = typeof stored.type === 'string' ? ENTRIES.get(stored.type) : undefined;
  if (entry === undefined) return fail({ reason: 'unknown-type' });
  const from = stored.schemaVersion;
  if (typeof from !== 'number' || !Number.isSafeInteger(from) || from < 1) return fail({ reason: 'bad-version', current: entry.version });
  if (from > entry.version) return fail({ reason: 'future-version', current: entry.version });
  let data = stored.data;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return fail({ reason: 'bad-data', shape: { kind: 'not-object' } });
  for (let version = from; version < entry.version; version++) {
    const upcast = Object.prototype.hasOwnProperty.call(entry.upcasters, version) ? entry.upcasters[version] : undefined;
    if (upcast === undefined) return fail({ reason: 'no-upcaster', from: version });
    data = upcast(data as Record<string, unknown>);
  }
  const fault = shapeFault(data, entry.shape);
  if (fault !== null) return fail({ reason: 'bad-data', shape: fault });
  return { ok: true, event: { type: stored.type, schemaVersion: entry.version, data } as KeyledgerEvent };
}

/**
 * Turns a stored event (`RecordedEvent`, or anything with type, schema version and data) into a
 * typed domain event at its current schema version; EVENT_DECODE_FAILED (`EventDecodeError`) when
 * it does not decode. Every reader of stored events goes through here: no other code casts them.
 */
export function decodeEvent(stored: StoredEvent): KeyledgerEvent {
  const result = tryDecodeEvent(stored);
  if (!result.ok) throw new EventDecodeError(stored, result.fault);
  return result.event;
}

/** A decoder for one aggregate's events: anything else in its stream is EVENT_DECODE_FAILED too. */
export type EventDecoder<E extends KeyledgerEvent> = (stored: StoredEvent) => E;

function familyDecoder<E extends KeyledgerEvent>(family: string, types: readonly E['type'][]): EventDecoder<E> {
  const members: ReadonlySet<string> = new Set(types);
  return (stored) => {
    const event = decodeEvent(stored);
    if (!members.has(event.type)) throw new EventDecodeError(stored, { reason: 'wrong-family', family });
    return event as E;
  };
}

export const BREAK_GLASS_EVENT_TYPES = [
  'BreakGlassRequested',
  'BreakGlassApproved',
  'BreakGlassActivated',
  'BreakGlassSignatureIssued',
  'BreakGlassEmergencyKeyLost',
  'BreakGlassClosed',
  'BreakGlassExpired',
  'BreakGlassEmergencyKeyDestroyed',
] as const satisfies readonly BreakGlassEvent['type'][];
export const SIGNING_FREEZE_EVENT_TYPES = ['SigningFrozen', 'SigningResumed'] as const satisfies readonly SigningFreezeEvent['type'][];
export const SIGNER_REGISTRY_EVENT_TYPES = ['SignerRegistered', 'SignerRetired'] as const satisfies readonly SignerRegistryEvent['type'][];
export const BREAKER_EVENT_TYPES = ['BreakerOpened', 'BreakerHalfOpened', 'BreakerClosed', 'BreakerOutageConfirmed', 'BreakerOutageEnded'] as const satisfies readonly BreakerEvent['type'][];
export const ROTATION_JOB_STREAM_EVENT_TYPES = ['RotationJobStarted', 'RotationJobProgressed', 'RotationJobResumed', 'RotationJobCompleted'] as const satisfies readonly RotationJobEvent['type'][];

/** A key lifecycle stream's events (`key-<tenantId>:<keyId>`). */
export const decodeKeyEvent: EventDecoder<KeyEvent> = familyDecoder('key', KEY_EVENT_TYPES);
/** A key material stream's events (`keymaterial-<tenantId>:<keyId>`). */
export const decodeKeyMaterialEvent: EventDecoder<KeyMaterialWrapped> = familyDecoder('key material', ['KeyMaterialWrapped']);
/** A break-glass session stream's events. */
export const decodeBreakGlassEvent: EventDecoder<BreakGlassEvent> = familyDecoder('break-glass', BREAK_GLASS_EVENT_TYPES);
/** A signing freeze stream's events. */
export const decodeSigningFreezeEvent: EventDecoder<SigningFreezeEvent> = familyDecoder('signing freeze', SIGNING_FREEZE_EVENT_TYPES);
/** The signer registry stream's events. */
export const decodeSignerRegistryEvent: EventDecoder<SignerRegistryEvent> = familyDecoder('signer registry', SIGNER_REGISTRY_EVENT_TYPES);
/** A breaker stream's events. */
export const decodeBreakerEvent: EventDecoder<BreakerEvent> = familyDecoder('breaker', BREAKER_EVENT_TYPES);
/** A rotate-all job stream's events (`rotationjob-<jobId>`). */
export const decodeRotationJobEvent: EventDecoder<RotationJobEvent> = familyDecoder('rotation job', ROTATION_JOB_STREAM_EVENT_TYPES);
/** The rotate-all coordination stream's events (`rotationjobs-current`). */
export const decodeRotationJobSlotEvent: EventDecoder<RotationJobClaimed> = familyDecoder('rotation job slot', ['RotationJobClaimed']);

/** Narrows a decoded event to the members of one family (e.g. `hasEventType(e, KEY_EVENT_TYPES)`). */
export function hasEventType<T extends KeyledgerEventType>(event: KeyledgerEvent, types: readonly T[]): event is Extract<KeyledgerEvent, { type: T }> {
  return (types as readonly string[]).includes(event.type);
}
