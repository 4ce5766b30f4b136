import type { DomainEvent, IdGenerator, NewEvent } from '@keyledger/kms-domain';
import type { Actor } from '../deps';

/** Wraps domain events into store events with metadata: fresh ids, the decision time, the actor. */
export function toNewEvents(
  events: readonly DomainEvent<string, object, number>[],
  actor: Actor,
  now: Date,
  ids: IdGenerator,
): NewEvent[] {
  const occurredAt = now.toISOString();
  return events.map((event) => ({
    type: event.type,
    schemaVersion: event.schemaVersion,
    data: event.data,
    metadata: { eventId: ids.next(), occurredAt, actor: actor.subject, correlationId: actor.correlationId, causationId: null },
  }));
}
