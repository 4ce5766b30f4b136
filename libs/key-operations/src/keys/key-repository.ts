import {
  decodeKeyEvent,
  keyDecider,
  keyStream,
  type EventStore,
  type KeyCommand,
  type KeyEvent,
  type KeyState,
} from '@keyledger/kms-domain';
import { handleCommand, loadStream, type Loaded, type StreamAggregate } from '../commands/command-handler';
import type { Actor, KeyOperationsPorts } from '../deps';

/** The Key aggregate as the command handler runs it. */
export const KEY_AGGREGATE: StreamAggregate<KeyCommand, KeyEvent, KeyState> = { decider: keyDecider, decode: decodeKeyEvent };

/** A key's state as of a stream revision (the ETag); `revision` is null when the stream is empty. */
export type LoadedKey = Loaded<KeyState>;

/** Reads a key's lifecycle stream, decodes and folds it. */
export function loadKey(store: EventStore, tenantId: string, keyId: string): Promise<LoadedKey> {
  return loadStream(store, keyStream(tenantId, keyId), KEY_AGGREGATE);
}

/** Result of a decided and appended command. */
export interface HandledKeyCommand extends LoadedKey {
  readonly events: readonly KeyEvent[];
  readonly position: number;
}

/**
 * Runs a key command that needs no side effect through the command handler: decided against the
 * stream and appended with optimistic concurrency on the revision read. When `ifMatch` is given and
 * differs from the current revision, refuses with PRECONDITION_FAILED before deciding (and never
 * retries); otherwise a concurrent append is re-read and decided again, at most `maxAttempts` rounds.
 */
export async function handleKeyCommand(
  ports: KeyOperationsPorts,
  actor: Actor,
  command: KeyCommand,
  options: { readonly ifMatch?: number; readonly loaded?: LoadedKey; readonly maxAttempts?: number } = {},
): Promise<HandledKeyCommand> {
  const handled = await handleCommand(ports, actor, {
    stream: keyStream(command.tenantId, command.keyId),
    aggregate: KEY_AGGREGATE,
    command: () => command,
    ifMatch: options.ifMatch,
    loaded: options.loaded,
    maxAttempts: options.maxAttempts,
  });
  // Every accepted key command records an event.
  if (handled.position === null) throw new Error(`${command.type} appended nothing`);
  return { state: handled.state, revision: handled.revision, events: handled.events, position: handled.position };
}
