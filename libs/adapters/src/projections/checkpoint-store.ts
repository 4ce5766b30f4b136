/** A saved projection state: the last applied global position and the encoded view at that point. */
export interface Checkpoint {
  readonly position: number;
  readonly state: string;
}

/** Where projection runners keep their checkpoints, so a restart resumes instead of replaying everything. */
export interface CheckpointStore {
  load(name: string): Promise<Checkpoint | null>;
  save(name: string, checkpoint: Checkpoint): Promise<void>;
  clear(name: string): Promise<void>;
}

/** Checkpoints in process memory (tests, and views that are always rebuilt on start). */
export class InMemoryCheckpointStore implements CheckpointStore {
  private readonly saved = new Map<string, Checkpoint>();

  async load(name: string): Promise<Checkpoint | null> {
    return this.saved.get(name) ?? null;
  }

  async save(name: string, checkpoint: Checkpoint): Promise<void> {
    this.saved.set(name, checkpoint);
  }

  async clear(name: string): Promise<void> {
    this.saved.delete(name);
  }
}
