import {
  foldEvents,
  keyDecider,
  keyStream,
  type EventStore,
  type ExpectedRevision,
  type KeyCommand,
  type KeyEvent,
  type KeyState,
  readWholeStream,
} from '@keyledger/kms-domain';
import type { Actor, KeyOperationsPorts } from '../deps';
import { KeyOperationError } from '../errors';
import { toNewEvents } from './event-context';

/** A key's state as of a stream revision (the ETag); `revision` is null when the stream is empty. */
export interface LoadedKey {
  readonly state: KeyState;
  readonly revision: number | null;
}

/** Reads a key's lifecycle stream and folds it. */
export async function loadKey(store: EventStore, tenantId: string, keyId: string): Promise<LoadedKey> {
  const recorded = await readWholeStream(store, keyStream(tenantId, keyId));
  const events = recorded.map((r) => ({ type: r.type, schemaVersion: r.schemaVersion, data: r.data }) as KeyEvent);
  const state = foldEvents(keyDecider, events);
  return { state, revision: recorded.length === 0 ? null : recorded[recorded.length - 1].revision };
}

/** Result of a decided and appended command. */
export interface HandledKeyCommand extends LoadedKey {
  readonly events: readonly KeyEvent[];
  readonly position: number;
}

/**
 * Decides `command` against the stream and appends the events with optimistic concurrency on the
 * revision read. When `ifMatch` is given and differs from the current revision, refuses with
 * PRECONDITION_FAILED before deciding; a concurrent append surfaces as CONCURRENCY_CONFLICT.
 */
export async function handleKeyCommand(
  ports: KeyOperationsPorts,
  actor: Actor,
  command: KeyCommand,
  options: { readonly ifMatch?: number; readonly loaded?: LoadedKey } = {},
): Promise<HandledKeyCommand> {
  const loaded = options.loaded ?? (await loadKey(ports.store, command.tenantId, command.keyId));
  if (options.ifMatch !== undefined && options.ifMatch !== loaded.revision) {
    throw new KeyOperationError('PRECONDITION_FAILED', `If-Match ${options.ifMatch} does not match the key's revision ${String(loaded.revision)}`);
  }
  const events = keyDecider.decide(command, loaded.state);
  const expected: ExpectedRevision = loaded.revision === null ? 'no-stream' : loaded.revision;
  const appended = await ports.store.append(
    keyStream(command.tenantId, command.keyId),
    toNewEvents(events, actor, command.now, ports.ids),
    { expectedRevision: expected },
  );
  const state = events.reduce((s, e) => keyDecider.evolve(s, e), loaded.state);
  return { state, revision: appended.revision, events, position: appended.position };
}
