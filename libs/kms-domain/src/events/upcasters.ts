import type { KeyledgerEventType } from './catalogue';

/** Turns the data of one schema version into the next version's; runs on a plain object, returns a new one. */
export type Upcaster = (data: Readonly<Record<string, unknown>>) => Record<string, unknown>;

/**
 * The upcaster table: for an event type, entry `n` turns data stored at schema version `n` into
 * version `n + 1`. The decoder chains them from the stored version to the current one
 * (`EVENT_SCHEMA_VERSIONS`), then checks the current shape. A type without entries has only ever
 * had one version. Never edit an entry: stored events depend on it.
 */
export const EVENT_UPCASTERS: { readonly [T in KeyledgerEventType]?: Readonly<Record<number, Upcaster>> } = {
  SignerRetired: {
    // v1 (before retirements carried a reason): { kid, retiredAt }. v2 adds `reason`, null when none was given.
    1: (data) => (Object.prototype.hasOwnProperty.call(data, 'reason') ? { ...data } : { ...data, reason: null }),
  },
};
