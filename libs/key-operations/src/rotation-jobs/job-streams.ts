import {
  decodeRotationJobEvent,
  decodeRotationJobSlotEvent,
  rotationJobDecider,
  rotationJobsCurrentStream,
  rotationJobSlotDecider,
  rotationJobStream,
  type RotationJobClaimed,
  type RotationJobCommand,
  type RotationJobEvent,
  type RotationJobSlotCommand,
  type RotationJobSlotState,
  type RotationJobState,
} from '@keyledger/kms-domain';
import { LRUCache } from 'lru-cache';
import { handleCommand, loadStream, type Loaded, type StreamAggregate } from '../commands/command-handler';
import type { Actor, KeyOperationsPorts } from '../deps';

export type { Loaded } from '../commands/command-handler';

const JOB: StreamAggregate<RotationJobCommand, RotationJobEvent, RotationJobState> = { decider: rotationJobDecider, decode: decodeRotationJobEvent };
const SLOT: StreamAggregate<RotationJobSlotCommand, RotationJobClaimed, RotationJobSlotState> = { decider: rotationJobSlotDecider, decode: decodeRotationJobSlotEvent };

/** Job and slot streams whose folded state is kept, per store (a few jobs are followed at a time). */
const FOLDED_STREAMS = 64;
const READ_PAGE = 1000;
const folded = new WeakMap<object, LRUCache<string, Loaded<unknown>>>();

/**
 * A stream folded incrementally: the state folded so far is kept (per store, bounded), and a load
 * reads only the events after its revision. A job's stream grows by one progress event every few
 * keys and `GET /api/admin/kms/jobs/{id}` is polled, so a poll must not re-read the whole job.
 */
async function loadIncrementally<C, E, S>(ports: KeyOperationsPorts, stream: string, aggregate: StreamAggregate<C, E, S>): Promise<Loaded<S>> {
  let cache = folded.get(ports.store);
  if (cache === undefined) folded.set(ports.store, (cache = new LRUCache<string, Loaded<unknown>>({ max: FOLDED_STREAMS })));
  const known = cache.get(stream) as Loaded<S> | undefined;
  if (known === undefined) {
    const loaded = await loadStream(ports.store, stream, aggregate);
    if (loaded.revision !== null) cache.set(stream, loaded);
    return loaded;
  }
  let { state, revision } = known;
  for (;;) {
    const page = await ports.store.readStream(stream, { fromRevision: (revision ?? -1) + 1, maxCount: READ_PAGE });
    for (const recorded of page) {
      state = aggregate.decider.evolve(state, aggregate.decode(recorded));
      revision = recorded.revision;
    }
    if (page.length < READ_PAGE) break;
  }
  const loaded = { state, revision };
  const latest = cache.get(stream) as Loaded<S> | undefined;
  // A concurrent load may have gone further; keep the newer fold.
  if (latest === undefined || (latest.revision ?? -1) <= (revision ?? -1)) cache.set(stream, loaded);
  return loaded;
}

/** Reads one job's stream (`rotationjob-<jobId>`), from where this process last folded it. */
export const loadJob = (ports: KeyOperationsPorts, jobId: string): Promise<Loaded<RotationJobState>> => loadIncrementally(ports, rotationJobStream(jobId), JOB);

/** Reads the coordination stream (`rotationjobs-current`: one event per job ever started), from where this process last folded it. */
export const loadSlot = (ports: KeyOperationsPorts): Promise<Loaded<RotationJobSlotState>> => loadIncrementally(ports, rotationJobsCurrentStream(), SLOT);

/**
 * Decides a command on the state the caller loaded and appends with that revision expected, in
 * one round: on these streams a conflict is itself the answer (another instance claimed the slot,
 * resumed the job, or took it over), so the caller sees CONCURRENCY_CONFLICT and never a retry.
 */
async function decideOnce<C extends { readonly now: Date }, E extends RotationJobEvent | RotationJobClaimed, S>(
  ports: KeyOperationsPorts,
  actor: Actor,
  stream: string,
  aggregate: StreamAggregate<C, E, S>,
  loaded: Loaded<S>,
  command: C,
): Promise<Loaded<S>> {
  const handled = await handleCommand(ports, actor, { stream, aggregate, loaded, command: () => command, maxAttempts: 1 });
  return { state: handled.state, revision: handled.revision };
}

/** Decides and appends a command on a job's stream. */
export const decideJob = (ports: KeyOperationsPorts, actor: Actor, loaded: Loaded<RotationJobState>, command: RotationJobCommand): Promise<Loaded<RotationJobState>> =>
  decideOnce(ports, actor, rotationJobStream(command.jobId), JOB, loaded, command);

/** Decides and appends a claim on the coordination stream. */
export const decideSlot = (ports: KeyOperationsPorts, actor: Actor, loaded: Loaded<RotationJobSlotState>, command: RotationJobSlotCommand): Promise<Loaded<RotationJobSlotState>> =>
  decideOnce(ports, actor, rotationJobsCurrentStream(), SLOT, loaded, command);
