import {
  foldEvents,
  readWholeStream,
  rotationJobDecider,
  rotationJobsCurrentStream,
  rotationJobSlotDecider,
  rotationJobStream,
  type Decider,
  type DomainEvent,
  type RotationJobClaimed,
  type RotationJobCommand,
  type RotationJobEvent,
  type RotationJobSlotCommand,
  type RotationJobSlotState,
  type RotationJobState,
} from '@keyledger/kms-domain';
import type { Actor, KeyOperationsPorts } from '../deps';
import { toNewEvents } from '../keys/event-context';

/** An aggregate's state as of a stream revision; `revision` is null for an empty stream. */
export interface Loaded<State> {
  readonly state: State;
  readonly revision: number | null;
}

interface Aggregate<Command, Event, State> {
  readonly stream: string;
  readonly decider: Decider<Command, Event, State>;
}

async function load<C, E, S>(ports: KeyOperationsPorts, aggregate: Aggregate<C, E, S>): Promise<Loaded<S>> {
  const recorded = await readWholeStream(ports.store, aggregate.stream);
  const events = recorded.map((r) => ({ type: r.type, schemaVersion: r.schemaVersion, data: r.data }) as E);
  return { state: foldEvents(aggregate.decider, events), revision: recorded.length === 0 ? null : recorded[recorded.length - 1].revision };
}

/**
 * Decides `command` on the state loaded and appends with that revision expected: a concurrent
 * writer surfaces as CONCURRENCY_CONFLICT, and the caller re-reads and decides again.
 */
async function decide<C extends { readonly now: Date }, E extends DomainEvent<string, object, number>, S>(
  ports: KeyOperationsPorts,
  actor: Actor,
  aggregate: Aggregate<C, E, S>,
  loaded: Loaded<S>,
  command: C,
): Promise<Loaded<S>> {
  const events = aggregate.decider.decide(command, loaded.state);
  const appended = await ports.store.append(aggregate.stream, toNewEvents(events, actor, command.now, ports.ids), {
    expectedRevision: loaded.revision === null ? 'no-stream' : loaded.revision,
  });
  return { state: events.reduce((s, e) => aggregate.decider.evolve(s, e), loaded.state), revision: appended.revision };
}

const job = (jobId: string): Aggregate<RotationJobCommand, RotationJobEvent, RotationJobState> => ({ stream: rotationJobStream(jobId), decider: rotationJobDecider });
const slot = (): Aggregate<RotationJobSlotCommand, RotationJobClaimed, RotationJobSlotState> => ({ stream: rotationJobsCurrentStream(), decider: rotationJobSlotDecider });

/** Reads one job's stream (`rotationjob-<jobId>`). */
export const loadJob = (ports: KeyOperationsPorts, jobId: string): Promise<Loaded<RotationJobState>> => load(ports, job(jobId));

/** Reads the coordination stream (`rotationjobs-current`): one event per job ever started. */
export const loadSlot = (ports: KeyOperationsPorts): Promise<Loaded<RotationJobSlotState>> => load(ports, slot());

/** Decides and appends a command on a job's stream. */
export const decideJob = (ports: KeyOperationsPorts, actor: Actor, loaded: Loaded<RotationJobState>, command: RotationJobCommand): Promise<Loaded<RotationJobState>> =>
  decide(ports, actor, job(command.jobId), loaded, command);

/** Decides and appends a claim on the coordination stream. */
export const decideSlot = (ports: KeyOperationsPorts, actor: Actor, loaded: Loaded<RotationJobSlotState>, command: RotationJobSlotCommand): Promise<Loaded<RotationJobSlotState>> =>
  decide(ports, actor, slot(), loaded, command);
