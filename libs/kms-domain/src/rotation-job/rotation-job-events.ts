import type { DomainEvent, IsoTimestamp } from '../shared/domain-event';

/** Cumulative outcome counts of a rotate-all job. */
export interface RotationJobCounts {
  readonly rotated: number;
  readonly skipped: number;
  readonly failed: number;
}

/** A rotate-all job began on `owner` (an instance name): it rotates Enabled keys whose primary was created at or before `startedAt`. */
export type RotationJobStarted = DomainEvent<
  'RotationJobStarted',
  { readonly jobId: string; readonly startedAt: IsoTimestamp; readonly requestedBy: string; readonly owner: string; readonly total: number }
>;
/** Cumulative counts so far; the owner records them every few keys and at least once per lease (a heartbeat). */
export type RotationJobProgressed = DomainEvent<'RotationJobProgressed', { readonly jobId: string; readonly at: IsoTimestamp } & RotationJobCounts>;
/** Another instance took over a job whose owner stopped recording progress (lease passed). */
export type RotationJobResumed = DomainEvent<
  'RotationJobResumed',
  { readonly jobId: string; readonly resumedBy: string; readonly previousOwner: string; readonly resumedAt: IsoTimestamp }
>;
/** Every candidate was considered; the final counts. */
export type RotationJobCompleted = DomainEvent<'RotationJobCompleted', { readonly jobId: string; readonly finishedAt: IsoTimestamp } & RotationJobCounts>;

/** Events of one job's stream (`rotationjob-<jobId>`). */
export type RotationJobEvent = RotationJobStarted | RotationJobProgressed | RotationJobResumed | RotationJobCompleted;

/**
 * The one coordination stream (`rotationjobs-current`) names the job that holds the rotate-all
 * slot; appended with an expected revision, so two instances cannot both claim it.
 */
export type RotationJobClaimed = DomainEvent<'RotationJobClaimed', { readonly jobId: string; readonly claimedBy: string; readonly claimedAt: IsoTimestamp }>;

/** Every rotate-all job event, both streams. */
export type RotationJobsEvent = RotationJobEvent | RotationJobClaimed;

/** Event types of the rotate-all jobs. */
export const ROTATION_JOB_EVENT_TYPES = ['RotationJobClaimed', 'RotationJobStarted', 'RotationJobProgressed', 'RotationJobResumed', 'RotationJobCompleted'] as const satisfies readonly RotationJobsEvent['type'][];
