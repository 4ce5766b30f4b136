import { createHash } from 'node:crypto';
import { JSONEventType, ResolvedEvent, jsonEvent, EventData } from '@eventstore/db-client';
import { EventContext, RecordedEvent, RecordedMetadata, StoreCorruptError } from '@keyledger/kms-domain';
import { ChainedEvent } from '../envelope';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** ESDB needs a UUID per event: the event id itself when it is one, else a stable UUID derived from it. */
export function esdbEventId(eventId: string): string {
  if (UUID.test(eventId)) return eventId.toLowerCase();
  const h = createHash('sha256').update(eventId).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16], 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** A chained event as the client's JSON event: data as data, context plus chain as custom metadata. */
export function toEsdbEvent(c: ChainedEvent): EventData<JSONEventType> {
  const m = c.event.metadata;
  return jsonEvent({
    id: esdbEventId(m.eventId),
    type: c.type,
    data: c.event.data as JSONEventType['data'],
    metadata: { ...pickContext(m), type: c.type, schemaVersion: c.event.schemaVersion, prevHash: c.prevHash, hash: c.hash },
  });
}

/** True for ESDB's own records ($-prefixed streams or types), which the port never shows. */
export function isSystemRecord(resolved: ResolvedEvent): boolean {
  const e = resolved.event;
  return !e || e.streamId.startsWith('$') || e.type.startsWith('$');
}

/** Converts a client read result into the port's RecordedEvent; STORE_CORRUPT when our metadata is missing. */
export function fromEsdbEvent(resolved: ResolvedEvent): RecordedEvent {
  const e = resolved.event;
  const position = e?.position ? Number(e.position.commit) : Number(resolved.commitPosition ?? -1);
  if (!e || !e.isJson) throw new StoreCorruptError(position, 'record is not a JSON event');
  const m = e.metadata as Partial<RecordedMetadata> | undefined;
  if (!m || typeof m !== 'object' || typeof m.hash !== 'string' || typeof m.prevHash !== 'string' || typeof m.schemaVersion !== 'number') {
    throw new StoreCorruptError(position, 'record lacks keyledger metadata');
  }
  return {
    streamName: e.streamId,
    revision: Number(e.revision),
    position,
    type: e.type,
    schemaVersion: m.schemaVersion,
    data: e.data,
    metadata: { ...pickContext(m as RecordedMetadata), type: e.type, schemaVersion: m.schemaVersion, prevHash: m.prevHash, hash: m.hash },
  };
}

function pickContext(m: EventContext): EventContext {
  return { eventId: m.eventId, occurredAt: m.occurredAt, actor: m.actor, correlationId: m.correlationId, causationId: m.causationId };
}
