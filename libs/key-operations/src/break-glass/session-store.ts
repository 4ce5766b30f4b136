import {
  breakGlassDecider,
  breakGlassStream,
  foldEvents,
  type BreakGlassCommand,
  type BreakGlassEvent,
  type BreakGlassState,
  type ExpectedRevision,
  readWholeStream,
} from '@keyledger/kms-domain';
import type { Actor, KeyOperationsPorts } from '../deps';
import { toNewEvents } from '../keys/event-context';

/** A session as of its stream revision. */
export interface LoadedSession {
  readonly state: BreakGlassState;
  readonly revision: number | null;
}

/** Reads and folds a session's stream (`breakglass-<sessionId>`). */
export async function loadSession(ports: KeyOperationsPorts, sessionId: string): Promise<LoadedSession> {
  const recorded = await readWholeStream(ports.store, breakGlassStream(sessionId));
  const events = recorded.map((r) => ({ type: r.type, schemaVersion: r.schemaVersion, data: r.data }) as BreakGlassEvent);
  return { state: foldEvents(breakGlassDecider, events), revision: recorded.length === 0 ? null : recorded[recorded.length - 1].revision };
}

/** Appends decided events at the revision they were decided on (a concurrent change is CONCURRENCY_CONFLICT). */
export async function appendSession(
  ports: KeyOperationsPorts,
  actor: Actor,
  sessionId: string,
  loaded: LoadedSession,
  events: readonly BreakGlassEvent[],
  now: Date,
): Promise<number> {
  const expectedRevision: ExpectedRevision = loaded.revision === null ? 'no-stream' : loaded.revision;
  const appended = await ports.store.append(breakGlassStream(sessionId), toNewEvents(events, actor, now, ports.ids), { expectedRevision });
  return appended.position;
}

/** Loads, decides and appends one command; returns the position of the last event. */
export async function handleSessionCommand(ports: KeyOperationsPorts, actor: Actor, command: BreakGlassCommand): Promise<number> {
  const loaded = await loadSession(ports, command.sessionId);
  const events = breakGlassDecider.decide(command, loaded.state);
  return appendSession(ports, actor, command.sessionId, loaded, events, command.now);
}
