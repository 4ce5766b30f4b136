/**
 * Shape of every persisted domain event: a past-tense, aggregate-qualified `type`, the
 * `schemaVersion` of its `data` (events are a contract: a change adds a version and an upcaster,
 * never an edit in place) and the data itself. Store metadata (event id, actor, correlation,
 * hashes) is the event store's business, not the domain's.
 */
export interface DomainEvent<Type extends string, Data, Version extends number = 1> {
  readonly type: Type;
  readonly schemaVersion: Version;
  readonly data: Data;
}

/** ISO-8601 UTC timestamp as stored in events and state (`Date#toISOString()`). */
export type IsoTimestamp = string;
