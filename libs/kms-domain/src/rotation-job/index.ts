export * from './rotation-job-events';
export * from './rotation-job';
export * from './rotation-job-slot';
export * from './rotation-job-view';
