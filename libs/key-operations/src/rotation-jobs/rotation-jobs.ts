import {
  isConcurrencyConflict,
  isRotationJobAbandoned,
  RotationJobNotFoundError,
  rotationJobId,
  rotationJobView,
  type RotationJobSlotState,
  type RotationJobState,
  type RotationJobView,
} from '@keyledger/kms-domain';
import type { Actor, KeyOperationsPorts } from '../deps';
import { KeyOperationError } from '../errors';
import type { KeyRotation } from '../rotation/rotation-run';
import { timerSleep } from '../rotation/rotation-pacer';
import type { KeyViews } from '../views/key-views';
import { JobRun, type JobRunSettings } from './job-run';
import { decideJob, decideSlot, loadJob, loadSlot, type Loaded } from './job-streams';

/** An owner silent this long has stopped: its job may be resumed (2 minutes). */
export const DEFAULT_ROTATION_JOB_LEASE_MS = 120_000;
/** Progress is recorded after this many keys (and on the heartbeat, a quarter of the lease). */
export const DEFAULT_ROTATION_JOB_PROGRESS_EVERY = 10;

/** Settings of the rotate-all jobs; see `RotationJobs`. */
export interface RotationJobsSettings extends Partial<Omit<JobRunSettings, 'heartbeatMs' | 'onError'>> {
  readonly leaseMs?: number;
  /** How long `start` waits for a job claimed by another instance to record its start (default 5 s). */
  readonly startWaitMs?: number;
  readonly onError?: (error: unknown) => void;
}

type Running = Extract<RotationJobState, { status: 'Running' }>;

const STORE_ATTEMPTS = 8;
const START_POLL_MS = 20;

/**
 * The rotate-all use case as a background job. `start` claims the single rotate-all slot (the
 * coordination stream, appended with its expected revision) and answers at once with the job,
 * while this instance runs it; while a job runs anywhere, `start` answers with that job instead
 * (or resumes it when its owner stopped). A job rotates Enabled keys whose primary version was
 * created at or before its `startedAt`, so a resumed job meets only the keys not yet rotated: no
 * per-key state, O(keys) in total, and each key is re-checked on its stream before it is rotated
 * with If-Match, so no key is rotated twice by one job, whoever runs it.
 */
export class RotationJobs {
  private current: JobRun | null = null;
  private watcher: ReturnType<typeof setInterval> | null = null;
  private readonly settings: JobRunSettings & { readonly leaseMs: number; readonly startWaitMs: number };

  constructor(
    private readonly ports: KeyOperationsPorts,
    private readonly views: KeyViews,
    private readonly rotation: KeyRotation,
    settings: RotationJobsSettings = {},
  ) {
    const leaseMs = settings.leaseMs ?? DEFAULT_ROTATION_JOB_LEASE_MS;
    this.settings = {
      ...settings,
      instance: settings.instance ?? 'keyledger',
      progressEvery: settings.progressEvery ?? DEFAULT_ROTATION_JOB_PROGRESS_EVERY,
      startWaitMs: settings.startWaitMs ?? 5000,
      onError: settings.onError ?? (() => undefined),
      leaseMs,
      heartbeatMs: Math.max(1, Math.floor(leaseMs / 4)),
    };
  }

  /** Starts a rotate-all job, or answers with the one already running (resuming it if its owner stopped). */
  async start(actor: Actor): Promise<RotationJobView> {
    const deadline = performance.now() + this.settings.startWaitMs;
    for (let attempt = 0; attempt < STORE_ATTEMPTS; ) {
      const slot = await loadSlot(this.ports);
      const holder = slot.state.status === 'Claimed' ? await loadJob(this.ports, slot.state.jobId) : null;
      if (holder?.state.status === 'Running') {
        const joined = await this.joinOrResume(holder as Loaded<Running>);
        if (joined) return joined;
        attempt++;
        continue;
      }
      if (holder?.state.status === 'None' && !this.claimExpired(slot.state)) {
        // Another instance claimed the slot and is about to record the job's start.
        if (performance.now() >= deadline) break;
        await timerSleep(START_POLL_MS);
        continue;
      }
      const started = await this.claimAndStart(actor, slot, holder);
      if (started) return started;
      attempt++;
    }
    throw new KeyOperationError('ROTATION_JOB_STARTING', 'A rotate-all job is being started by another instance; retry shortly', 1000);
  }

  /** The job with this id; ROTATION_JOB_NOT_FOUND when there is none. */
  async get(jobId: string): Promise<RotationJobView> {
    const view = rotationJobView((await loadJob(this.ports, jobId)).state);
    if (view === null) throw new RotationJobNotFoundError();
    return view;
  }

  /** Resumes the running job if its owner stopped recording progress for a lease; the job resumed, or null. */
  async resumeAbandoned(): Promise<RotationJobView | null> {
    const slot = await loadSlot(this.ports);
    if (slot.state.status !== 'Claimed' || this.current !== null) return null;
    const job = await loadJob(this.ports, slot.state.jobId);
    if (!isRotationJobAbandoned(job.state, this.ports.clock.now(), this.settings.leaseMs)) return null;
    return this.resume(job as Loaded<Running>);
  }

  /** Checks for an abandoned job every half lease (an API instance calls it at start). */
  watch(): void {
    if (this.watcher) return;
    this.watcher = setInterval(() => void this.resumeAbandoned().catch(this.settings.onError), Math.max(1, Math.floor(this.settings.leaseMs / 2)));
    this.watcher.unref();
  }

  /** Resolves when the job this instance runs (if any) has ended. */
  async idle(): Promise<void> {
    while (this.current) await this.current.done;
  }

  /** Stops watching and stops this instance's run between two keys, its counts recorded. */
  async stop(): Promise<void> {
    if (this.watcher) clearInterval(this.watcher);
    this.watcher = null;
    await this.current?.stop();
  }

  private async claimAndStart(actor: Actor, slot: Loaded<RotationJobSlotState>, holder: Loaded<RotationJobState> | null): Promise<RotationJobView | null> {
    const jobId = rotationJobId(this.ports.ids.next());
    const { instance, leaseMs } = this.settings;
    const now = this.ports.clock.now();
    const current = slot.state.status === 'Claimed' && holder ? { jobId: slot.state.jobId, status: holder.state.status } : null;
    try {
      await decideSlot(this.ports, actor, slot, { type: 'ClaimRotationJobSlot', jobId, instance, now, leaseMs, current });
    } catch (error) {
      if (isConcurrencyConflict(error)) return null;
      throw error;
    }
    const total = this.views.models.keys.counts().byStatus.Enabled;
    const command = { type: 'StartRotationJob', jobId, requestedBy: actor.subject, instance, total, now } as const;
    const started = await decideJob(this.ports, actor, { state: { status: 'None' }, revision: null }, command);
    return this.launch(started as Loaded<Running>);
  }

  private async joinOrResume(job: Loaded<Running>): Promise<RotationJobView | null> {
    if (this.current?.jobId === job.state.jobId || !isRotationJobAbandoned(job.state, this.ports.clock.now(), this.settings.leaseMs)) return rotationJobView(job.state);
    return this.resume(job);
  }

  /** Takes over an abandoned job (null when another instance took it first). */
  private async resume(job: Loaded<Running>): Promise<RotationJobView | null> {
    const { instance, leaseMs } = this.settings;
    const actor = { subject: `service:${instance}`, correlationId: job.state.jobId };
    try {
      const resumed = await decideJob(this.ports, actor, job, { type: 'ResumeRotationJob', jobId: job.state.jobId, instance, leaseMs, now: this.ports.clock.now() });
      return this.launch(resumed as Loaded<Running>);
    } catch (error) {
      if (isConcurrencyConflict(error)) return null;
      throw error;
    }
  }

  private launch(job: Loaded<Running>): RotationJobView {
    const run = new JobRun(this.ports, this.rotation, job, this.settings);
    this.current = run;
    void run.done.then(() => {
      if (this.current === run) this.current = null;
    });
    return rotationJobView(job.state) as RotationJobView;
  }

  private claimExpired(slot: RotationJobSlotState): boolean {
    return slot.status === 'Claimed' && this.ports.clock.now().getTime() - Date.parse(slot.claimedAt) >= this.settings.leaseMs;
  }
}
