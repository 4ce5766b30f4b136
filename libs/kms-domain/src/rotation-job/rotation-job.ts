import { InvalidStateTransitionError, ValidationError } from '../errors/domain-errors';
import { assertNever, unknownCommand } from '../shared/assert-never';
import type { Decider } from '../shared/decider';
import type { IsoTimestamp } from '../shared/domain-event';
import { toIso } from '../shared/time';
import { requireDate, requireId, requireInt, requireName } from '../shared/validation';
import type { RotationJobCounts, RotationJobEvent } from './rotation-job-events';

/** A rotate-all job id: `rotation-job-` and a unique suffix, 128 characters at most (a safe id). */
export const ROTATION_JOB_ID_PATTERN = /^rotation-job-[A-Za-z0-9._-]{1,115}$/;

/** The job id for a fresh unique value (an `IdGenerator` id): characters outside a safe id are dropped. */
export function rotationJobId(unique: string): string {
  return `rotation-job-${unique.replace(/[^A-Za-z0-9._-]/g, '')}`.slice(0, 128);
}

/** Upper bound of any count (keys in one job). */
export const MAX_ROTATION_JOB_COUNT = 1_000_000_000;
/** Upper bound of a lease, one day in milliseconds. */
export const MAX_ROTATION_JOB_LEASE_MS = 86_400_000;

export interface StartRotationJob {
  readonly type: 'StartRotationJob';
  readonly jobId: string;
  readonly requestedBy: string;
  /** The instance that runs it. */
  readonly instance: string;
  /** Enabled keys when it starts. */
  readonly total: number;
  readonly now: Date;
}
export interface RecordRotationJobProgress extends RotationJobCounts {
  readonly type: 'RecordRotationJobProgress';
  readonly jobId: string;
  readonly instance: string;
  readonly now: Date;
}
export interface ResumeRotationJob {
  readonly type: 'ResumeRotationJob';
  readonly jobId: string;
  readonly instance: string;
  /** How long the owner may stay silent before the job counts as abandoned. */
  readonly leaseMs: number;
  readonly now: Date;
}
export interface CompleteRotationJob extends RotationJobCounts {
  readonly type: 'CompleteRotationJob';
  readonly jobId: string;
  readonly instance: string;
  readonly now: Date;
}
export type RotationJobCommand = StartRotationJob | RecordRotationJobProgress | ResumeRotationJob | CompleteRotationJob;

interface JobFacts extends RotationJobCounts {
  readonly jobId: string;
  readonly startedAt: IsoTimestamp;
  readonly requestedBy: string;
  readonly total: number;
}
export type RotationJobState =
  | { readonly status: 'None' }
  | (JobFacts & { readonly status: 'Running'; readonly owner: string; readonly lastActivityAt: IsoTimestamp })
  | (JobFacts & { readonly status: 'Completed'; readonly finishedAt: IsoTimestamp });

type Running = Extract<RotationJobState, { status: 'Running' }>;

const refuse = (state: RotationJobState, command: RotationJobCommand, detail?: string) =>
  new InvalidStateTransitionError('RotationJob', state.status, command.type, detail);

/** The job is running, is this job, and `instance` owns it (a job taken over by another instance refuses its old owner). */
function owned(state: RotationJobState, command: RecordRotationJobProgress | CompleteRotationJob, jobId: string, instance: string): Running {
  if (state.status !== 'Running') throw refuse(state, command);
  if (state.jobId !== jobId) throw new ValidationError('jobId', 'does not name this job');
  if (state.owner !== instance) throw refuse(state, command, 'another instance owns the job now');
  return state;
}

/** Counts only grow: they are cumulative. */
function counts(command: RotationJobCounts, before: RotationJobCounts): RotationJobCounts {
  const next = {
    rotated: requireInt('rotated', command.rotated, 0, MAX_ROTATION_JOB_COUNT),
    skipped: requireInt('skipped', command.skipped, 0, MAX_ROTATION_JOB_COUNT),
    failed: requireInt('failed', command.failed, 0, MAX_ROTATION_JOB_COUNT),
  };
  for (const name of ['rotated', 'skipped', 'failed'] as const) {
    if (next[name] < before[name]) throw new ValidationError(name, 'counts are cumulative and cannot decrease');
  }
  return next;
}

/** True when a running job's owner has been silent for at least `leaseMs` at `now`: another instance may resume it. */
export function isRotationJobAbandoned(state: RotationJobState, now: Date, leaseMs: number): boolean {
  return state.status === 'Running' && now.getTime() - Date.parse(state.lastActivityAt) >= leaseMs;
}

/**
 * Start once; progress and completion only by the owner, counts cumulative; resume by anyone once
 * the owner has been silent for the lease (the resumer becomes the owner).
 */
export function decideRotationJob(command: RotationJobCommand, state: RotationJobState): RotationJobEvent[] {
  const jobId = requireId('jobId', command.jobId);
  const instance = requireName('instance', command.instance);
  const now = requireDate('now', command.now);
  const at = toIso(now);
  switch (command.type) {
    case 'StartRotationJob': {
      const requestedBy = requireName('requestedBy', command.requestedBy);
      const total = requireInt('total', command.total, 0, MAX_ROTATION_JOB_COUNT);
      if (state.status !== 'None') throw refuse(state, command);
      return [{ type: 'RotationJobStarted', schemaVersion: 1, data: { jobId, startedAt: at, requestedBy, owner: instance, total } }];
    }
    case 'RecordRotationJobProgress': {
      const running = owned(state, command, jobId, instance);
      return [{ type: 'RotationJobProgressed', schemaVersion: 1, data: { jobId, ...counts(command, running), at } }];
    }
    case 'CompleteRotationJob': {
      const running = owned(state, command, jobId, instance);
      return [{ type: 'RotationJobCompleted', schemaVersion: 1, data: { jobId, ...counts(command, running), finishedAt: at } }];
    }
    case 'ResumeRotationJob': {
      const leaseMs = requireInt('leaseMs', command.leaseMs, 1, MAX_ROTATION_JOB_LEASE_MS);
      if (state.status !== 'Running') throw refuse(state, command);
      if (state.jobId !== jobId) throw new ValidationError('jobId', 'does not name this job');
      if (!isRotationJobAbandoned(state, now, leaseMs)) throw refuse(state, command, 'its owner recorded progress within the lease');
      return [{ type: 'RotationJobResumed', schemaVersion: 1, data: { jobId, resumedBy: instance, previousOwner: state.owner, resumedAt: at } }];
    }
    default:
      return unknownCommand(command);
  }
}

export function evolveRotationJob(state: RotationJobState, event: RotationJobEvent): RotationJobState {
  switch (event.type) {
    case 'RotationJobStarted': {
      const { jobId, startedAt, requestedBy, owner, total } = event.data;
      return { status: 'Running', jobId, startedAt, requestedBy, owner, total, rotated: 0, skipped: 0, failed: 0, lastActivityAt: startedAt };
    }
    case 'RotationJobProgressed': {
      if (state.status !== 'Running') return state;
      const { rotated, skipped, failed, at } = event.data;
      return { ...state, rotated, skipped, failed, lastActivityAt: at };
    }
    case 'RotationJobResumed':
      return state.status === 'Running' ? { ...state, owner: event.data.resumedBy, lastActivityAt: event.data.resumedAt } : state;
    case 'RotationJobCompleted': {
      if (state.status !== 'Running') return state;
      const { jobId, startedAt, requestedBy, total } = state;
      const { rotated, skipped, failed, finishedAt } = event.data;
      return { status: 'Completed', jobId, startedAt, requestedBy, total, rotated, skipped, failed, finishedAt };
    }
    default:
      return assertNever(event, 'rotation job event');
  }
}

/** The RotationJob aggregate: one rotate-all job, one stream per job (see `rotationJobStream`). */
export const rotationJobDecider: Decider<RotationJobCommand, RotationJobEvent, RotationJobState> = {
  decide: decideRotationJob,
  evolve: evolveRotationJob,
  initialState: () => ({ status: 'None' }),
};
