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
import { handleCommand, loadStream, type Loaded, type StreamAggregate } from '../commands/command-handler';
import type { Actor, KeyOperationsPorts } from '../deps';

export type { Loaded } from '../commands/command-handler';

const JOB: StreamAggregate<RotationJobCommand, RotationJobEvent, RotationJobState> = { decider: rotationJobDecider, decode: decodeRotationJobEvent };
const SLOT: StreamAggregate<RotationJobSlotCommand, RotationJobClaimed, RotationJobSlotState> = { decider: rotationJobSlotDecider, decode: decodeRotationJobSlotEvent };

/** Reads one job's stream (`rotationjob-<jobId>`). */
export const loadJob = (ports: KeyOperationsPorts, jobId: string): Promise<Loaded<RotationJobState>> => loadStream(ports.store, rotationJobStream(jobId), JOB);

/** Reads the coordination stream (`rotationjobs-current`): one event per job ever started. */
export const loadSlot = (ports: KeyOperationsPorts): Promise<Loaded<RotationJobSlotState>> => loadStream(ports.store, rotationJobsCurrentStream(), SLOT);

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
