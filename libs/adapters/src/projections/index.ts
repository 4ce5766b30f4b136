export { InMemoryCheckpointStore, type Checkpoint, type CheckpointStore } from './checkpoint-store';
export { keyledgerViewsFold, type KeyledgerViews } from './keyledger-views';
export { ProjectionRunner, type ChangeNotification, type ProjectionRunnerOptions, type ViewCodec } from './projection-runner';
export { DEFAULT_CHECKPOINTS_FILE, SqliteCheckpointStore } from './sqlite-checkpoint-store';
export { combineFolds, foldOfProjection, type ViewFold } from './view-fold';
