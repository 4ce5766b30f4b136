import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { ConfigError, type SchedulerConfig } from '@keyledger/runtime';
import { AUDIT_CHECKPOINT_JOB, AuditCheckpointJob } from './audit-checkpoint-job';
import { SchedulerJobs, type JobName } from './scheduler-jobs';

export const SCHEDULER_SETTINGS = Symbol.for('keyledger.SCHEDULER_SETTINGS');

/** How often the overdue and break-glass gauges are recomputed between runs. */
export const GAUGE_REFRESH_MS = 60_000;

/** Builds a UTC cron job, or a ConfigError naming the variable when the expression does not parse. */
export function cronJob(variable: string, expression: string, onTick: () => void): CronJob {
  try {
    return CronJob.from({ cronTime: expression, onTick, start: false, timeZone: 'UTC' });
  } catch {
    throw new ConfigError([`${variable}=${JSON.stringify(expression)} is not a valid cron expression`]);
  }
}

/**
 * Registers the jobs with the schedule registry (names: `rotation`, `key-deletion`,
 * `break-glass-expiry`, and the `audit-checkpoint` interval) and stops them, and any rotation in
 * progress, on shutdown.
 */
@Injectable()
export class JobSchedule implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('JobSchedule');

  constructor(
    private readonly registry: SchedulerRegistry,
    private readonly jobs: SchedulerJobs,
    private readonly audit: AuditCheckpointJob,
    @Inject(SCHEDULER_SETTINGS) private readonly settings: SchedulerConfig & { readonly once: boolean },
  ) {}

  onApplicationBootstrap(): void {
    this.jobs.refreshGauges();
    if (this.settings.once) return;
    const s = this.settings;
    if (s.rotationEnabled) this.add('rotation', cronJob('KMS_ROTATION_CRON', s.rotationCron, () => void this.jobs.rotate()));
    else this.logger.warn('KMS_ROTATION_ENABLED=false: keys will not be rotated on schedule');
    // The nightly run: the retention trim shares the rotation's schedule (a no-op unless a key sets retainVersions).
    this.add('version-trim', cronJob('KMS_ROTATION_CRON', s.rotationCron, () => void this.jobs.trimRetainedVersions()));
    this.add('key-deletion', cronJob('KMS_DELETION_CRON', s.deletionCron, () => void this.jobs.destroyDueKeys()));
    this.add('break-glass-expiry', cronJob('BREAKGLASS_EXPIRY_CRON', s.breakGlassExpiryCron, () => void this.jobs.expireBreakGlass()));
    this.addAuditCheckpoints(s.auditCheckpointIntervalMinutes);
    const refresh = setInterval(() => this.jobs.refreshGauges(), GAUGE_REFRESH_MS);
    refresh.unref();
    this.registry.addInterval('gauge-refresh', refresh);
  }

  onApplicationShutdown(): void {
    this.jobs.stop();
  }

  private addAuditCheckpoints(minutes: number): void {
    const timer = setInterval(() => void this.audit.run(), minutes * 60_000);
    timer.unref();
    this.registry.addInterval(AUDIT_CHECKPOINT_JOB, timer);
    this.logger.log(`job ${AUDIT_CHECKPOINT_JOB} scheduled every ${minutes} min`);
  }

  private add(name: JobName, job: CronJob): void {
    this.registry.addCronJob(name, job);
    job.start();
    this.logger.log(`job ${name} scheduled, next run ${job.nextDate().toISO() ?? 'unknown'} (UTC)`);
  }
}
