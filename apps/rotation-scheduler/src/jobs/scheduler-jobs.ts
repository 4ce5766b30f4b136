import { type MaintenanceReport, type RotationRunReport } from '@keyledger/key-operations';
import type { RotationOutcomeLabel } from '@keyledger/observability';
import type { SchedulerRuntime } from '../composition/scheduler-runtime';

/** The scheduler's jobs, by the names used in logs and docs. */
export const JOB_NAMES = ['rotation', 'key-deletion', 'break-glass-expiry', 'version-trim'] as const;
export type JobName = (typeof JOB_NAMES)[number];

/** What the jobs report to metrics; structurally a subset of the observability lib's `KmsMetrics`. */
export interface JobRecorder {
  rotationOutcome(outcome: RotationOutcomeLabel): void;
  rotationRunDuration(seconds: number): void;
  rotationCompleted(atUnixSeconds: number): void;
  keysRotationOverdue(count: number): void;
  breakglassSessionsActive(count: number): void;
}

/** Structured log lines (ids and codes only, never material or tokens). */
export interface JobLog {
  info(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** How the rotation job runs. */
export interface RotationJobSettings {
  readonly maxAgeDays: number;
  readonly maxPerMinute?: number;
  /** 0..1 */
  readonly jitterRatio?: number;
  readonly random?: () => number;
}

const ACTOR_SUBJECT = 'service:rotation-scheduler';

/**
 * The scheduler's jobs as plain methods (the cron registration is elsewhere, `--once` calls
 * `runAll`). A job already running is not started again; each resolves `true` when every item
 * succeeded.
 */
export class SchedulerJobs {
  private readonly running = new Set<JobName>();
  private readonly abort = new AbortController();

  constructor(
    private readonly runtime: Pick<SchedulerRuntime, 'ports' | 'ops' | 'rotation' | 'maintenance' | 'sessions'>,
    private readonly settings: RotationJobSettings,
    private readonly recorder: JobRecorder,
    private readonly log: JobLog,
  ) {}

  /** Rotates every due key, paced and jittered; failures are events and metrics, the run goes on. */
  rotate(): Promise<boolean> {
    return this.guard('rotation', async () => {
      const started = performance.now();
      const report: RotationRunReport = await this.runtime.rotation.run(this.actor('rotation'), {
        select: 'due',
        reason: 'scheduled',
        maxAgeDays: this.settings.maxAgeDays,
        maxPerMinute: this.settings.maxPerMinute,
        jitterRatio: this.settings.jitterRatio,
        random: this.settings.random,
        signal: this.abort.signal,
        onOutcome: (o) => {
          this.recorder.rotationOutcome(o.outcome);
          if (o.outcome === 'failed') this.log.error('key rotation failed', { job: 'rotation', tenantId: o.tenantId, keyId: o.keyId, code: o.code });
        },
      });
      this.recorder.rotationRunDuration((performance.now() - started) / 1000);
      if (report.status === 'success') this.recorder.rotationCompleted(Math.floor(Date.parse(report.finishedAt) / 1000));
      this.refreshGauges();
      const { runId, status, total, rotated, skipped, aborted } = report;
      this.log.info('rotation run finished', { job: 'rotation', runId, status, total, rotated, skipped, failed: report.failed.length, aborted });
      return report.status === 'success';
    });
  }

  /** Destroys keys whose deletion window has passed and shreds their material. */
  destroyDueKeys(): Promise<boolean> {
    return this.guard('key-deletion', async () => this.finish('key-deletion', await this.runtime.maintenance.destroyDueKeys(this.actor('key-deletion'))));
  }

  /** Trims old versions of the keys whose `retainVersions` is set (none by default: off). */
  trimRetainedVersions(): Promise<boolean> {
    return this.guard('version-trim', async () => this.finish('version-trim', await this.runtime.maintenance.trimRetainedVersions(this.actor('version-trim'))));
  }

  /** Expires break-glass sessions past their ttl and records their emergency keys destroyed. */
  expireBreakGlass(): Promise<boolean> {
    return this.guard('break-glass-expiry', async () => {
      // The same use case as the API's: it also retires the signers and deletes HSM-held keys.
      const now = this.runtime.ports.clock.now();
      const report = await this.runtime.ops.breakGlass.expireBreakGlassSessions(now, this.actor('break-glass-expiry'));
      this.recorder.breakglassSessionsActive(this.runtime.sessions.activeCount());
      return this.finish('break-glass-expiry', {
        status: report.failed.length === 0 ? 'success' : 'partial',
        done: report.expired.length + report.keysDestroyed.length,
        skipped: 0,
        failed: report.failed.map((f) => ({ id: f.sessionId, code: f.code })),
      });
    });
  }

  /** Every job once, in order (for `--once`); true when all succeeded. */
  async runAll(): Promise<boolean> {
    const results = [await this.rotate(), await this.trimRetainedVersions(), await this.destroyDueKeys(), await this.expireBreakGlass()];
    return results.every(Boolean);
  }

  /** Recomputes the overdue and break-glass gauges from the views. */
  refreshGauges(): void {
    const now = this.runtime.ports.clock.now();
    this.recorder.keysRotationOverdue(this.runtime.ops.views.models.keys.overdueCount(now, this.settings.maxAgeDays));
    this.recorder.breakglassSessionsActive(this.runtime.sessions.activeCount());
  }

  /** Stops a rotation run between keys (shutdown). */
  stop(): void {
    this.abort.abort();
  }

  private async guard(job: JobName, body: () => Promise<boolean>): Promise<boolean> {
    if (this.running.has(job)) {
      this.log.info('job still running, this tick is skipped', { job });
      return true;
    }
    this.running.add(job);
    try {
      return await body();
    } catch (error) {
      this.log.error('job failed', { job, code: (error as { code?: unknown }).code ?? 'UNEXPECTED' });
      return false;
    } finally {
      this.running.delete(job);
    }
  }

  private finish(job: JobName, report: MaintenanceReport): boolean {
    for (const f of report.failed) this.log.error('job item failed', { job, id: f.id, code: f.code });
    this.log.info('job finished', { job, status: report.status, done: report.done, skipped: report.skipped, failed: report.failed.length });
    return report.status === 'success';
  }

  private actor(job: JobName): { subject: string; correlationId: string } {
    return { subject: ACTOR_SUBJECT, correlationId: `${job}-${this.runtime.ports.ids.next()}` };
  }
}
