import { InvalidStateTransitionError, ValidationError } from '../errors/domain-errors';
import { assertNever, unknownCommand } from '../shared/assert-never';
import type { Decider } from '../shared/decider';
import type { IsoTimestamp } from '../shared/domain-event';
import { toIso } from '../shared/time';
import { requireDate, requireId, requireInt, requireName, requireOneOf } from '../shared/validation';
import { MAX_ROTATION_JOB_LEASE_MS, type RotationJobState } from './rotation-job';
import type { RotationJobClaimed } from './rotation-job-events';

/**
 * Claims the rotate-all slot for a new job. `current` is the status of the job holding the slot as
 * the caller just read it from that job's stream (the decider cannot read another stream).
 */
export interface ClaimRotationJobSlot {
  readonly type: 'ClaimRotationJobSlot';
  readonly jobId: string;
  readonly instance: string;
  readonly now: Date;
  /** How long a claim whose job never started blocks the slot (its claimer died in between). */
  readonly leaseMs: number;
  readonly current: { readonly jobId: string; readonly status: RotationJobState['status'] } | null;
}
export type RotationJobSlotCommand = ClaimRotationJobSlot;

export type RotationJobSlotState =
  | { readonly status: 'Free' }
  | { readonly status: 'Claimed'; readonly jobId: string; readonly claimedBy: string; readonly claimedAt: IsoTimestamp };

const JOB_STATUSES: readonly RotationJobState['status'][] = ['None', 'Running', 'Completed'];

/**
 * At most one rotate-all job at a time: the slot is free, or its job completed, or its claimer
 * never started the job and the lease has passed. A running job keeps the slot (callers join or
 * resume it instead).
 */
export function decideRotationJobSlot(command: RotationJobSlotCommand, state: RotationJobSlotState): RotationJobClaimed[] {
  // One command so far: anything else is bad input from an untyped caller.
  if (command.type !== 'ClaimRotationJobSlot') return unknownCommand(command as never);
  const jobId = requireId('jobId', command.jobId);
  const claimedBy = requireName('instance', command.instance);
  const now = requireDate('now', command.now);
  const leaseMs = requireInt('leaseMs', command.leaseMs, 1, MAX_ROTATION_JOB_LEASE_MS);
  const refuse = (detail: string) => new InvalidStateTransitionError('RotationJobSlot', state.status, command.type, detail);
  if (state.status === 'Claimed') {
    const current = command.current;
    if (current === null || current.jobId !== state.jobId) throw new ValidationError('current', 'must describe the job holding the slot');
    const status = requireOneOf('current.status', current.status, JOB_STATUSES);
    if (jobId === state.jobId) throw new ValidationError('jobId', 'names the job already holding the slot');
    if (status === 'Running') throw refuse('a rotate-all job is running');
    if (status === 'None' && now.getTime() - Date.parse(state.claimedAt) < leaseMs) throw refuse('a rotate-all job is starting');
  }
  return [{ type: 'RotationJobClaimed', schemaVersion: 1, data: { jobId, claimedBy, claimedAt: toIso(now) } }];
}

export function evolveRotationJobSlot(_state: RotationJobSlotState, event: RotationJobClaimed): RotationJobSlotState {
  if (event.type !== 'RotationJobClaimed') return assertNever(event as never, 'rotation job slot event');
  return { status: 'Claimed', jobId: event.data.jobId, claimedBy: event.data.claimedBy, claimedAt: event.data.claimedAt };
}

/** The rotate-all slot: the single coordination stream `rotationjobs-current`. */
export const rotationJobSlotDecider: Decider<RotationJobSlotCommand, RotationJobClaimed, RotationJobSlotState> = {
  decide: decideRotationJobSlot,
  evolve: evolveRotationJobSlot,
  initialState: () => ({ status: 'Free' }),
};
