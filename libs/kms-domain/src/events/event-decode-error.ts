import { KeyledgerError } from '../errors/keyledger-error';
import { describeShapeFault, type ShapeFault } from './field-checks';

/**
 * Why a stored event does not decode: an unknown type, a schema version that is not a whole number
 * from 1 to the current one (a newer version is written by newer code than this), a missing
 * upcaster, data that is not an object or does not fit the event's shape, or (typed helpers) a
 * type of another aggregate.
 */
export type DecodeFault =
  | { readonly reason: 'unknown-type' }
  | { readonly reason: 'bad-version'; readonly current: number }
  | { readonly reason: 'future-version'; readonly current: number }
  | { readonly reason: 'no-upcaster'; readonly from: number }
  | { readonly reason: 'bad-data'; readonly shape: ShapeFault }
  | { readonly reason: 'wrong-family'; readonly family: string };

/** Where the event sits, for messages: stream and global position when known. */
export interface StoredEventRef {
  readonly type: unknown;
  readonly schemaVersion: unknown;
  readonly streamName?: string;
  readonly position?: number;
}

const TYPE_NAME = /^[A-Z][A-Za-z0-9]{0,99}$/;

/** An event type as text for a message: only a PascalCase identifier is named. */
export function nameOfType(type: unknown): string {
  return typeof type === 'string' && TYPE_NAME.test(type) ? type : 'an event of an invalid type';
}

/** The fault as text: names the type, the version and fields of the catalogue, never a data value. */
export function describeDecodeFault(stored: StoredEventRef, fault: DecodeFault): string {
  const type = nameOfType(stored.type);
  const version = Number.isSafeInteger(stored.schemaVersion) ? String(stored.schemaVersion) : 'an invalid number';
  switch (fault.reason) {
    case 'unknown-type':
      return `unknown event type ${type}`;
    case 'bad-version':
      return `${type} at schema version ${version}, expected 1..${fault.current}`;
    case 'future-version':
      return `${type} at schema version ${version}, newer than the current ${fault.current}`;
    case 'no-upcaster':
      return `${type} at schema version ${fault.from} has no upcaster to ${fault.from + 1}`;
    case 'bad-data':
      // An unexpected field is found in the data: its name is not repeated.
      return `${type}: ${fault.shape.kind === 'unexpected' ? 'a field that is not part of this event' : describeShapeFault(fault.shape)}`;
    case 'wrong-family':
      return `${type} is not a ${fault.family} event`;
  }
}

/**
 * A stored event that cannot become a domain event (EVENT_DECODE_FAILED). Readers stop on it:
 * a fold never skips an event. The message names the stream, position, type and the field at
 * fault, never a value from the data.
 */
export class EventDecodeError extends KeyledgerError {
  readonly code = 'EVENT_DECODE_FAILED';
  readonly streamName: string | null;
  readonly position: number | null;

  constructor(
    stored: StoredEventRef,
    readonly fault: DecodeFault,
  ) {
    const where = stored.streamName === undefined ? '' : ` in ${stored.streamName}${stored.position === undefined ? '' : ` at position ${stored.position}`}`;
    super(`cannot decode a stored event${where}: ${describeDecodeFault(stored, fault)}`);
    this.streamName = stored.streamName ?? null;
    this.position = stored.position ?? null;
  }
}

/** Brand check on the code (survives duplicated module copies). */
export function isEventDecodeError(error: unknown): error is EventDecodeError {
  return error instanceof Error && (error as { code?: unknown }).code === 'EVENT_DECODE_FAILED';
}
