export { RotationJobs, DEFAULT_ROTATION_JOB_LEASE_MS, DEFAULT_ROTATION_JOB_PROGRESS_EVERY } from './rotation-jobs';
export type { RotationJobsSettings } from './rotation-jobs';
