import { isConcurrencyConflict, type RotationJobCommand, type RotationJobCounts, type RotationJobState } from '@keyledger/kms-domain';
import type { Actor, KeyOperationsPorts } from '../deps';
import { timerSleep, type Sleep } from '../rotation/rotation-pacer';
import type { KeyRotation } from '../rotation/rotation-run';
import { decideJob, type Loaded } from './job-streams';

/** How this instance runs the jobs it owns. */
export interface JobRunSettings {
  /** This process's name, recorded as the job's owner. */
  readonly instance: string;
  /** KMS_ROTATION_MAX_PER_MINUTE: cap on rotations started per minute (undefined: no cap). */
  readonly maxPerMinute?: number;
  /** Progress is recorded after this many keys... */
  readonly progressEvery: number;
  /** ...and at least this often (a heartbeat renewing the lease). */
  readonly heartbeatMs: number;
  readonly sleep?: Sleep;
  readonly monotonic?: () => number;
  readonly random?: () => number;
  readonly onError: (error: unknown) => void;
}

type Running = Extract<RotationJobState, { status: 'Running' }>;

/** Tries of a 1 ms sleep for the clock to pass the job's start (a real clock needs one at most). */
const CLOCK_TRIES = 1000;

/**
 * One job run on this instance, as its owner: rotates the job's candidates (Enabled keys whose
 * primary predates `startedAt`) paced by `maxPerMinute`, records cumulative progress every few keys
 * and on a heartbeat, and completes. When an append is refused (another instance resumed the job
 * after this one's lease lapsed) or fails, it stops at once: the job stays running for whoever
 * resumes it. Stopped (`stop`), it records its counts and leaves the job resumable.
 */
export class JobRun {
  private readonly abort = new AbortController();
  private loaded: Loaded<Running>;
  private counts: RotationJobCounts;
  private sinceRecord = 0;
  private chain: Promise<void> = Promise.resolve();
  private lost = false;
  /** Settles when the run has ended, whichever way. */
  readonly done: Promise<void>;

  constructor(
    private readonly ports: KeyOperationsPorts,
    private readonly rotation: KeyRotation,
    loaded: Loaded<Running>,
    private readonly settings: JobRunSettings,
  ) {
    this.loaded = loaded;
    const { rotated, skipped, failed } = loaded.state;
    this.counts = { rotated, skipped, failed };
    this.done = this.run();
  }

  get jobId(): string {
    return this.loaded.state.jobId;
  }

  /** Stops between two keys; resolves once the counts so far are recorded. */
  stop(): Promise<void> {
    this.abort.abort();
    return this.done;
  }

  private get actor(): Actor {
    return { subject: `service:${this.settings.instance}`, correlationId: this.jobId };
  }

  private async run(): Promise<void> {
    const heartbeat = setInterval(() => this.record(), this.settings.heartbeatMs);
    heartbeat.unref();
    try {
      const job = this.loaded.state;
      await this.afterStart(Date.parse(job.startedAt));
      const report = await this.rotation.run({ subject: job.requestedBy, correlationId: job.jobId }, {
        select: 'all',
        reason: 'manual',
        cutoff: new Date(job.startedAt),
        runId: job.jobId,
        maxPerMinute: this.settings.maxPerMinute,
        jitterRatio: 0,
        signal: this.abort.signal,
        sleep: this.settings.sleep,
        monotonic: this.settings.monotonic,
        random: this.settings.random,
        onOutcome: (outcome) => this.count(outcome.outcome),
      });
      clearInterval(heartbeat);
      if (report.aborted || this.abort.signal.aborted) this.record();
      else this.enqueue({ type: 'CompleteRotationJob', ...this.command(), ...this.counts });
      await this.chain;
    } catch (error) {
      this.settings.onError(error);
    } finally {
      clearInterval(heartbeat);
    }
  }

  /**
   * Waits until the clock has passed `startedAt`, so every rotation of this job is younger than its
   * cutoff and a re-run of the job (after a restart) never meets a key it rotated.
   */
  private async afterStart(startedAt: number): Promise<void> {
    for (let i = 0; this.ports.clock.now().getTime() <= startedAt; i++) {
      if (i >= CLOCK_TRIES) throw new Error('the clock does not move past the rotation job start');
      await (this.settings.sleep ?? timerSleep)(1, this.abort.signal);
    }
  }

  private count(outcome: keyof RotationJobCounts): void {
    this.counts = { ...this.counts, [outcome]: this.counts[outcome] + 1 };
    if (++this.sinceRecord >= this.settings.progressEvery) this.record();
  }

  private record(): void {
    this.enqueue({ type: 'RecordRotationJobProgress', ...this.command(), ...this.counts });
  }

  private command(): { jobId: string; instance: string; now: Date } {
    return { jobId: this.jobId, instance: this.settings.instance, now: this.ports.clock.now() };
  }

  /** Appends in order, one at a time; the first refusal or failure ends the run. */
  private enqueue(command: RotationJobCommand): void {
    this.sinceRecord = 0;
    this.chain = this.chain.then(async () => {
      if (this.lost) return;
      try {
        const next = await decideJob(this.ports, this.actor, this.loaded, command);
        if (next.state.status === 'Running') this.loaded = { state: next.state, revision: next.revision };
      } catch (error) {
        this.lost = true;
        this.abort.abort();
        const refused = isConcurrencyConflict(error) || (error as { code?: unknown }).code === 'INVALID_STATE_TRANSITION';
        if (!refused) this.settings.onError(error);
      }
    });
  }
}
