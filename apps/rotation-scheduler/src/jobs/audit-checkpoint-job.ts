import { AuditLog, ProviderAuditKey, type SignCheckpointResult } from '@keyledger/audit';
import type { KeyOperationsPorts } from '@keyledger/key-operations';
import type { EventContext } from '@keyledger/kms-domain';
import type { JobLog } from './scheduler-jobs';

/** Name of the job in the schedule registry, logs and docs. */
export const AUDIT_CHECKPOINT_JOB = 'audit-checkpoint';

const ACTOR = 'service:rotation-scheduler';

/**
 * Signs an audit checkpoint (docs/audit.md) with the provider-resident audit key when audited
 * events were added since the newest one; creates the audit key on first use. One tree per
 * process, caught up from the store on each run. Another replica signing first is not a failure.
 */
export class AuditCheckpointJob {
  private readonly log: AuditLog;
  private readonly key: ProviderAuditKey;
  private running = false;

  constructor(
    private readonly ports: Pick<KeyOperationsPorts, 'store' | 'provider' | 'clock' | 'ids'>,
    private readonly jobLog: JobLog,
  ) {
    this.log = new AuditLog(ports.store);
    this.key = new ProviderAuditKey(ports.store, ports.provider, () => this.context('audit-key'));
  }

  /** One run; resolves true when a checkpoint was signed or nothing was due, false on a failure. */
  async run(): Promise<boolean> {
    if (this.running) {
      this.jobLog.info('job still running, this tick is skipped', { job: AUDIT_CHECKPOINT_JOB });
      return true;
    }
    this.running = true;
    try {
      this.report(await this.key.signCheckpoint(this.log, this.context(AUDIT_CHECKPOINT_JOB)));
      return true;
    } catch (error) {
      this.jobLog.error('job failed', { job: AUDIT_CHECKPOINT_JOB, code: (error as { code?: unknown }).code ?? 'UNEXPECTED' });
      return false;
    } finally {
      this.running = false;
    }
  }

  private report(result: SignCheckpointResult): void {
    switch (result.status) {
      case 'signed':
        this.jobLog.info('audit checkpoint signed', { job: AUDIT_CHECKPOINT_JOB, treeSize: result.checkpoint.data.treeSize, position: result.checkpoint.position });
        return;
      case 'unchanged':
        this.jobLog.info('no new audited events, no checkpoint', { job: AUDIT_CHECKPOINT_JOB, treeSize: result.checkpoint?.data.treeSize ?? 0 });
        return;
      case 'raced':
        this.jobLog.info('another replica signed this checkpoint', { job: AUDIT_CHECKPOINT_JOB });
        return;
      default: {
        const never: never = result;
        throw new Error(`unknown checkpoint result ${String(never)}`);
      }
    }
  }

  private context(job: string): EventContext {
    return {
      eventId: this.ports.ids.next(),
      occurredAt: this.ports.clock.now().toISOString(),
      actor: ACTOR,
      correlationId: `${job}-${this.ports.ids.next()}`,
      causationId: null,
    };
  }
}
