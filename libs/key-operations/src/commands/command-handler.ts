import {
  isConcurrencyConflict,
  readWholeStream,
  type Decider,
  type DomainEvent,
  type EventStore,
  type RecordedEvent,
} from '@keyledger/kms-domain';
import type { Actor, KeyOperationsPorts } from '../deps';
import { KeyOperationError } from '../errors';
import { toNewEvents } from '../keys/event-context';

/** An aggregate's state as of a stream revision (the ETag); `revision` is null for an empty stream. */
export interface Loaded<State> {
  readonly state: State;
  readonly revision: number | null;
}

/** An aggregate as the handler runs it: its decider and the one decoder's helper for its stream. */
export interface StreamAggregate<Command, Event, State> {
  readonly decider: Decider<Command, Event, State>;
  readonly decode: (recorded: RecordedEvent) => Event;
}

/** Reads a whole stream, page by page, and folds every event through the decoder and the decider's evolve. */
export async function loadStream<Command, Event, State>(
  store: Pick<EventStore, 'readStream'>,
  stream: string,
  aggregate: StreamAggregate<Command, Event, State>,
): Promise<Loaded<State>> {
  const recorded = await readWholeStream(store, stream);
  let state = aggregate.decider.initialState();
  for (const event of recorded) state = aggregate.decider.evolve(state, aggregate.decode(event));
  return { state, revision: recorded.length === 0 ? null : recorded[recorded.length - 1].revision };
}

/**
 * A side effect whose result completes a command (wrap new key material, create an emergency key,
 * sign). It runs once, after the guards passed on the loaded state and before the decision.
 */
export interface CommandEffect<State, Plan, Result> {
  run(plan: Plan, state: State): Promise<Result>;
  /**
   * After a concurrency conflict and a re-load whose guards passed again: whether the result still
   * completes the command on the new state (rotation: the material was made for the version that
   * is still the next one). Absent or false: the conflict is the answer (CONCURRENCY_CONFLICT).
   */
  reuse?(result: Result, plan: Plan, state: State): boolean;
  /** The command ends without its events appended: release what `run` made. Its own failure never hides the command's. */
  discard?(result: Result): Promise<void> | void;
}

/** One command for the handler: where, which aggregate, the guard step, the side effect and the command itself. */
export interface CommandSpec<Command, Event, State, Plan, Result> {
  readonly stream: string;
  readonly aggregate: StreamAggregate<Command, Event, State>;
  /**
   * The domain's guard step on the loaded state (e.g. `checkKeyCommand`): throws the decider's
   * typed error, and returns what the side effect needs. Runs before the side effect, and again
   * after every re-load.
   */
  readonly check?: (state: State) => Plan;
  readonly effect?: CommandEffect<State, Plan, Result>;
  /** The complete command on the loaded state (with the side effect's result); null when there is nothing to do. */
  readonly command: (state: State, plan: Plan, result: Result) => Command | null;
  /** If-Match: the revision the caller saw. A mismatch is PRECONDITION_FAILED, and such a command never retries. */
  readonly ifMatch?: number;
  /** Load, decide and append rounds (default {@link DEFAULT_MAX_ATTEMPTS}); 1 when a conflict is itself the answer. */
  readonly maxAttempts?: number;
  /** The state the caller already loaded, used for the first round. */
  readonly loaded?: Loaded<State>;
  /** How a round loads the stream; default {@link loadStream}. A writer that caches the folded stream passes its own. */
  readonly load?: () => Promise<Loaded<State>>;
}

/**
 * What a handled command did. `position` is null when it appended nothing (the decision had no
 * events). `state` (the loaded state evolved by the events) is folded on first read, so a writer
 * that keeps its own folded state (the signer registry) pays nothing for it.
 */
export interface HandledCommand<Event, State, Result> extends Loaded<State> {
  readonly events: readonly Event[];
  readonly position: number | null;
  /** The side effect's result, when it ran. */
  readonly result: Result | undefined;
}

/** Rounds a command gets when another writer appended to its stream in between. */
export const DEFAULT_MAX_ATTEMPTS = 3;

type StoredDomainEvent = DomainEvent<string, object, number>;

/**
 * The one command handler (emmett's `CommandHandler` shape): load the stream, check the domain's
 * guards on the loaded state (before any side effect), run the side effect, decide, append with the
 * revision loaded expected. On CONCURRENCY_CONFLICT it re-loads, re-checks the guards (a refusal
 * now is the guards' typed error) and decides again, up to `maxAttempts` rounds. A side effect is
 * never run twice: its result is reused only when `effect.reuse` says it still fits the new state,
 * else the conflict surfaces; whenever nothing was appended, `discard` releases the result.
 * With `ifMatch` the first mismatch is PRECONDITION_FAILED and nothing retries.
 */
export async function handleCommand<Command extends { readonly now: Date }, Event extends StoredDomainEvent, State, Plan = undefined, Result = undefined>(
  ports: KeyOperationsPorts,
  actor: Actor,
  spec: CommandSpec<Command, Event, State, Plan, Result>,
): Promise<HandledCommand<Event, State, Result>> {
  const maxAttempts = spec.ifMatch !== undefined ? 1 : Math.max(1, spec.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
  const load = spec.load ?? (() => loadStream(ports.store, spec.stream, spec.aggregate));
  const { decider } = spec.aggregate;
  let made: { readonly result: Result } | null = null;
  let appended = false;
  let conflict: unknown = null;
  try {
    for (let attempt = 1; ; attempt++) {
      const loaded = attempt === 1 && spec.loaded ? spec.loaded : await load();
      if (spec.ifMatch !== undefined && spec.ifMatch !== loaded.revision) {
        throw new KeyOperationError('PRECONDITION_FAILED', `If-Match ${spec.ifMatch} does not match the current revision ${String(loaded.revision)}`);
      }
      const plan: Plan = made === null ? runCheck(spec, loaded.state) : recheck(spec, loaded.state, made.result, conflict);
      if (spec.effect && made === null) made = { result: await spec.effect.run(plan, loaded.state) };
      const command = spec.command(loaded.state, plan, made?.result as Result);
      const events = command === null ? [] : decider.decide(command, loaded.state);
      if (command === null || events.length === 0) return { ...loaded, events: [], position: null, result: made?.result };
      try {
        const written = await ports.store.append(spec.stream, toNewEvents(events, actor, command.now, ports.ids), {
          expectedRevision: loaded.revision === null ? 'no-stream' : loaded.revision,
        });
        appended = true;
        return withLazyState(decider, loaded.state, events, { revision: written.revision, events, position: written.position, result: made?.result });
      } catch (error) {
        if (!isConcurrencyConflict(error) || attempt >= maxAttempts) throw error;
        conflict = error;
      }
    }
  } finally {
    if (!appended && made !== null && spec.effect?.discard) await discardQuietly(spec.effect, made.result);
  }
}

function runCheck<C, E, S, P, R>(spec: CommandSpec<C, E, S, P, R>, state: S): P {
  return spec.check ? spec.check(state) : (undefined as P);
}

/**
 * A round after a conflict, with the side effect already run: the guards run again on the new
 * state (a refusal is their own typed error, as a fresh request would get), then the result must
 * still fit, else the conflict stands.
 */
function recheck<C, E, S, P, R>(spec: CommandSpec<C, E, S, P, R>, state: S, result: R, conflict: unknown): P {
  const plan = runCheck(spec, state);
  if (!spec.effect?.reuse?.(result, plan, state)) throw conflict;
  return plan;
}

async function discardQuietly<S, P, R>(effect: CommandEffect<S, P, R>, result: R): Promise<void> {
  try {
    await effect.discard?.(result);
  } catch {
    // The command's own failure is the answer; a failed release is left to the caller's clean-up.
  }
}

function withLazyState<C, E, S, Rest extends Omit<HandledCommand<E, S, unknown>, 'state'>>(
  decider: Decider<C, E, S>,
  before: S,
  events: readonly E[],
  rest: Rest,
): Rest & { readonly state: S } {
  let state: { value: S } | null = null;
  return Object.defineProperty({ ...rest }, 'state', {
    enumerable: true,
    get: () => (state ??= { value: events.reduce((s, e) => decider.evolve(s, e), before) }).value,
  }) as Rest & { readonly state: S };
}
