import Database from 'better-sqlite3';
import { AppendResult, isEventStoreError } from '@keyledger/kms-domain';
import { mapSqliteError } from './sqlite-errors';

/** One queued append: runs inside the shared transaction, returns its result or throws its own typed error. */
export type BatchedWrite = () => AppendResult;

interface Pending {
  readonly write: BatchedWrite;
  readonly resolve: (result: AppendResult) => void;
  readonly reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: AppendResult } | { ok: false; error: unknown };

/**
 * Group commit: appends that arrive while the event loop is busy are queued and committed together
 * in one IMMEDIATE transaction, so one fsync covers many of them. Each append keeps its own
 * revision check inside its own savepoint; a conflicting append fails alone while the others
 * commit. A failure of the transaction itself fails every append of the batch.
 */
export class GroupCommitter {
  private queue: Pending[] = [];
  private transactions = 0;
  private appends = 0;
  private scheduled = false;
  private idle: Promise<void> = Promise.resolve();
  private markIdle: () => void = () => undefined;
  private readonly transaction: Database.Transaction<(batch: readonly Pending[]) => Outcome[]>;

  constructor(
    db: Database.Database,
    private readonly maxBatch: number,
    private readonly afterCommit: () => void,
  ) {
    // A transaction function called inside another one runs as a savepoint (better-sqlite3).
    const savepoint = db.transaction((write: BatchedWrite) => write());
    this.transaction = db.transaction((batch: readonly Pending[]) => batch.map((p) => attempt(() => savepoint(p.write))));
  }

  /** Queues a write for the next group commit. */
  submit(write: BatchedWrite): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ write, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        this.idle = new Promise((done) => (this.markIdle = done));
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commit transactions run and appends they carried, for metrics and tests. */
  stats(): { transactions: number; appends: number } {
    return { transactions: this.transactions, appends: this.appends };
  }

  /** Resolves once every queued write has been committed or failed. */
  drained(): Promise<void> {
    return this.scheduled ? this.idle : Promise.resolve();
  }

  private flush(): void {
    const batch = this.queue.splice(0, this.maxBatch);
    const committed = this.commit(batch);
    if (this.queue.length > 0) setImmediate(() => this.flush());
    else {
      this.scheduled = false;
      this.markIdle();
    }
    if (committed) this.afterCommit();
  }

  private commit(batch: readonly Pending[]): boolean {
    let outcomes: Outcome[];
    try {
      outcomes = this.transaction.immediate(batch);
    } catch (error) {
      const mapped = mapSqliteError(error);
      for (const p of batch) p.reject(mapped);
      return false;
    }
    this.transactions += 1;
    this.appends += batch.length;
    outcomes.forEach((o, i) => (o.ok ? batch[i].resolve(o.value) : batch[i].reject(o.error)));
    return outcomes.some((o) => o.ok);
  }
}

function attempt(write: () => AppendResult): Outcome {
  try {
    return { ok: true, value: write() };
  } catch (error) {
    if (isEventStoreError(error)) return { ok: false, error };
    throw error;
  }
}
