import {
  breakGlassDecider,
  breakGlassStream,
  decodeBreakGlassEvent,
  type BreakGlassCommand,
  type BreakGlassEvent,
  type BreakGlassState,
} from '@keyledger/kms-domain';
import { handleCommand, loadStream, type HandledCommand, type Loaded, type StreamAggregate } from '../commands/command-handler';
import type { Actor, KeyOperationsPorts } from '../deps';

/** The BreakGlassSession aggregate as the command handler runs it. */
export const SESSION_AGGREGATE: StreamAggregate<BreakGlassCommand, BreakGlassEvent, BreakGlassState> = { decider: breakGlassDecider, decode: decodeBreakGlassEvent };

/** A session as of its stream revision. */
export type LoadedSession = Loaded<BreakGlassState>;

/** Reads, decodes and folds a session's stream (`breakglass-<sessionId>`). */
export function loadSession(ports: KeyOperationsPorts, sessionId: string): Promise<LoadedSession> {
  return loadStream(ports.store, breakGlassStream(sessionId), SESSION_AGGREGATE);
}

/**
 * Runs one session command that needs no side effect through the command handler; returns the
 * position of the last event. A conflict is re-read and decided again (at most `maxAttempts` rounds).
 */
export async function handleSessionCommand(
  ports: KeyOperationsPorts,
  actor: Actor,
  command: BreakGlassCommand,
  options: { readonly loaded?: LoadedSession; readonly maxAttempts?: number } = {},
): Promise<HandledCommand<BreakGlassEvent, BreakGlassState, undefined> & { readonly position: number }> {
  const handled = await handleCommand(ports, actor, { stream: breakGlassStream(command.sessionId), aggregate: SESSION_AGGREGATE, command: () => command, ...options });
  // Every accepted session command records an event.
  if (handled.position === null) throw new Error(`${command.type} appended nothing`);
  return handled as typeof handled & { readonly position: number };
}
