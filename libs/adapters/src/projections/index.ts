export { InMemoryCheckpointStore, type Checkpoint, type CheckpointStore } from './checkpoint-store';
export { keyledgerViewsFold, type KeyledgerViews } from './keyledger-views';
export { CATCH_UP_PAGE_SIZE, ProjectionRunner, type ChangeNotification, type ProjectionRunnerOptions, type ViewCodec } from './projection-runner';
export { DEFAULT_CHECKPOINTS_FILE, SqliteCheckpointStore } from './sqlite-checkpoint-store';
export { applyPage, combineFolds, combineProjections, foldOfProjection, projected, type ViewFold } from './view-fold';
