import type { IsoTimestamp } from '../shared/domain-event';
import type { RotationJobState } from './rotation-job';

/** A rotate-all job as `GET /api/admin/kms/jobs/{id}` answers it. */
export interface RotationJobView {
  readonly jobId: string;
  readonly status: 'running' | 'completed';
  readonly startedAt: IsoTimestamp;
  readonly finishedAt: IsoTimestamp | null;
  readonly total: number;
  readonly rotated: number;
  readonly skipped: number;
  readonly failed: number;
  /**
   * `total - rotated - skipped - failed` while running (never below 0: a key enabled during the job
   * may be met too); 0 once completed (a key disabled or deleted during the job is never met).
   */
  readonly remaining: number;
}

/** The view of a started job, or null when the stream holds none. */
export function rotationJobView(state: RotationJobState): RotationJobView | null {
  if (state.status === 'None') return null;
  const { jobId, startedAt, total, rotated, skipped, failed } = state;
  const completed = state.status === 'Completed';
  return {
    jobId,
    status: completed ? 'completed' : 'running',
    startedAt,
    finishedAt: completed ? state.finishedAt : null,
    total,
    rotated,
    skipped,
    failed,
    remaining: completed ? 0 : Math.max(0, total - rotated - skipped - failed),
  };
}
