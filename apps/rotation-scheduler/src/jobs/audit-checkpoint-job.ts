import { AuditLog, ProviderAuditKey, cosignLatestCheckpoint, parseWitnessKey, type SignCheckpointResult, type WitnessEndpoint, type WitnessResult } from '@keyledger/audit';
import type { KeyOperationsPorts } from '@keyledger/key-operations';
import type { EventContext } from '@keyledger/kms-domain';
import type { AuditWitnessSetting } from '@keyledger/runtime';
import type { JobLog } from './scheduler-jobs';

/** Name of the job in the schedule registry, logs and docs. */
export const AUDIT_CHECKPOINT_JOB = 'audit-checkpoint';

const ACTOR = 'service:rotation-scheduler';

/** Where the job reports each witness's part of a round (the metrics recorder in the app). */
export interface WitnessRecorder {
  witnessConfigured(witness: string): void;
  witnessResult(witness: string, outcome: string): void;
}

/**
 * Signs an audit checkpoint (docs/audit.md) with the audit keys when audited events were added
 * since the newest one; creates the keys on first use. Then asks the witnesses of AUDIT_WITNESSES
 * that have not cosigned the newest checkpoint for their cosignature. One tree per process, caught
 * up from the store on each run. Another replica signing first is not a failure, and neither is a
 * witness that is down: it only lacks its cosignature until a later run.
 */
export class AuditCheckpointJob {
  private readonly log: AuditLog;
  private readonly key: ProviderAuditKey;
  private readonly witnesses: readonly WitnessEndpoint[];
  private readonly lastResults = new Map<string, WitnessResult>();
  private running = false;

  constructor(
    private readonly ports: Pick<KeyOperationsPorts, 'store' | 'provider' | 'clock' | 'ids'>,
    private readonly jobLog: JobLog,
    witnesses: readonly AuditWitnessSetting[] = [],
    private readonly recorder?: WitnessRecorder,
  ) {
    this.log = new AuditLog(ports.store);
    this.key = new ProviderAuditKey(ports.store, ports.provider, () => this.context('audit-key'));
    this.witnesses = witnesses.map((w) => ({ url: w.url, key: parseWitnessKey(w.vkey) }));
    for (const w of this.witnesses) recorder?.witnessConfigured(w.key.name);
  }

  /** Each configured witness's result in the last round (for readiness details); empty before one. */
  witnessStatus(): ReadonlyMap<string, WitnessResult> {
    return this.lastResults;
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
      await this.cosign();
      return true;
    } catch (error) {
      this.jobLog.error('job failed', { job: AUDIT_CHECKPOINT_JOB, code: (error as { code?: unknown }).code ?? 'UNEXPECTED' });
      return false;
    } finally {
      this.running = false;
    }
  }

  private async cosign(): Promise<void> {
    if (this.witnesses.length === 0) return;
    for (const r of await cosignLatestCheckpoint(this.log, this.ports.store, this.witnesses, () => this.context('audit-cosignature'))) {
      this.lastResults.set(r.witness, r);
      this.recorder?.witnessResult(r.witness, r.status === 'failed' ? r.reason : r.status);
      if (r.status === 'failed') this.jobLog.error('witness did not cosign', { job: AUDIT_CHECKPOINT_JOB, witness: r.witness, reason: r.reason, httpStatus: r.httpStatus, treeSize: r.treeSize });
      else if (r.status === 'cosigned') this.jobLog.info('witness cosigned the checkpoint', { job: AUDIT_CHECKPOINT_JOB, witness: r.witness, treeSize: r.treeSize });
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
