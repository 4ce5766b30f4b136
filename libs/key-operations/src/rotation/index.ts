export { KeyRotation } from './rotation-run';
export type { RotationOutcome, RotationOutcomeKind, RotationRunOptions, RotationRunReport, RotationSelection } from './rotation-run';
export { RotationPacer, timerSleep, DEFAULT_JITTER_RATIO } from './rotation-pacer';
export type { PacerOptions, Sleep } from './rotation-pacer';
export { effectiveRotationStatus, countOverdue, errorCodeOf } from './rotation-policy';
export { KeyMaintenance } from './key-maintenance';
export type { MaintenanceReport } from './key-maintenance';
export { BreakGlassSessions } from './break-glass-sessions';
