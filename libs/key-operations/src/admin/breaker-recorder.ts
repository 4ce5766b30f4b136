import { hostname } from 'node:os';
import {
  breakerStream,
  breakerTransitionsDecider,
  type BreakerPosition,
  type BreakerReadModel,
  type BreakerTransitionCommand,
  type BreakerTransitionsState,
} from '@keyledger/kms-domain';
import { BREAKER_NAMES, type BreakerTransition } from '@keyledger/resilience';
import type { KeyOperationsPorts } from '../deps';
import { toNewEvents } from '../keys/event-context';
import { DEFAULT_OUTAGE_LEASE_MS } from '../break-glass/outage-tracker';

const MAX_QUEUE = 1000;

/** One record to append: a transition of this process's breaker, a lease renewal, or an outage's end. */
type Job =
  | { readonly kind: 'transition'; readonly transition: BreakerTransition }
  | { readonly kind: 'confirm'; readonly name: string }
  | { readonly kind: 'end'; readonly name: string; readonly instance: string; readonly from: BreakerPosition; readonly reason: 'instance-stopped' | 'instance-restarted' };

export interface BreakerRecorderOptions {
  /** How long a recorded outage counts after its last confirmation; renewed every third of it (default 60 s). */
  readonly leaseMs?: number;
  readonly onError?: (error: unknown) => void;
}

/**
 * Records breaker transitions as events, off the request path: `enqueue` only pushes (it runs
 * inside the breaker's listener); a background drain appends them in order. A failed append is
 * reported and dropped: the record must never block or fail a request.
 *
 * It also keeps the outage record honest for break-glass: while one of this process's breakers is
 * open or half-open it confirms that every third of the lease (`BreakerOutageConfirmed`); at stop
 * it ends its outages (`BreakerOutageEnded`, instance-stopped); at start it ends those of an
 * earlier run of this instance and of dead processes on this host (instance-restarted). This
 * process's positions are kept in memory, so a record costs one append, not a stream read.
 */
export class BreakerTransitionRecorder {
  private readonly queue: Job[] = [];
  private draining: Promise<void> | null = null;
  private readonly positions = new Map<string, BreakerPosition>();
  private readonly leaseMs: number;
  private readonly onError: (error: unknown) => void;
  private renewal: NodeJS.Timeout | null = null;

  constructor(
    private readonly ports: KeyOperationsPorts,
    private readonly instance: string,
    private readonly breakers: BreakerReadModel,
    options: BreakerRecorderOptions = {},
  ) {
    this.leaseMs = options.leaseMs ?? DEFAULT_OUTAGE_LEASE_MS;
    this.onError = options.onError ?? (() => undefined);
  }

  enqueue(transition: BreakerTransition): void {
    this.push({ kind: 'transition', transition });
  }

  /**
   * After the views replayed: ends outages recorded by an earlier run of this instance or by a
   * process of this host that no longer runs, then starts renewing this process's own.
   */
  async start(): Promise<void> {
    for (const entry of this.breakers.outOf(BREAKER_NAMES)) {
      if (entry.instance === this.instance || deadOnThisHost(entry.instance)) {
        this.push({ kind: 'end', name: entry.name, instance: entry.instance, from: entry.state, reason: 'instance-restarted' });
      }
    }
    await this.flush();
    if (this.renewal === null) {
      this.renewal = setInterval(() => this.renew(), Math.max(1000, Math.floor(this.leaseMs / 3)));
      this.renewal.unref();
    }
  }

  /** Stops renewing and ends this process's outages; resolves once everything queued is recorded. */
  async stop(): Promise<void> {
    if (this.renewal !== null) clearInterval(this.renewal);
    this.renewal = null;
    await this.flush();
    for (const [name, from] of this.positions) {
      if (from !== 'closed') this.push({ kind: 'end', name, instance: this.instance, from, reason: 'instance-stopped' });
    }
    await this.flush();
  }

  /** Confirms every outage this process holds now (the timer calls it; tests may too). */
  renew(): void {
    for (const [name, position] of this.positions) if (position !== 'closed') this.push({ kind: 'confirm', name });
  }

  /** Resolves when everything queued so far is recorded. */
  async flush(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private push(job: Job): void {
    if (this.queue.length >= MAX_QUEUE) this.queue.shift();
    this.queue.push(job);
    if (!this.draining) this.draining = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.drain());
  }

  private async drain(): Promise<void> {
    try {
      for (let next = this.queue.shift(); next; next = this.queue.shift()) {
        await this.record(next).catch(this.onError);
      }
    } finally {
      this.draining = null;
    }
  }

  private async record(job: Job): Promise<void> {
    const now = new Date(this.ports.clock.now());
    const { command, state } = this.decision(job, now);
    const events = breakerTransitionsDecider.decide(command, state);
    if (events.length === 0) return;
    const actor = { subject: `service:${this.instance}`, correlationId: `breaker-${command.name}` };
    await this.ports.store.append(breakerStream(command.name), toNewEvents(events, actor, now, this.ports.ids));
    const after = events.reduce(breakerTransitionsDecider.evolve, state);
    if (command.instance === this.instance) this.positions.set(command.name, after.positions[this.instance] ?? 'closed');
  }

  private decision(job: Job, now: Date): { command: BreakerTransitionCommand; state: BreakerTransitionsState } {
    if (job.kind === 'end') {
      const command = { type: 'EndBreakerOutage', name: job.name, instance: job.instance, now, reason: job.reason, recordedBy: this.instance } as const;
      const from = job.instance === this.instance ? (this.positions.get(job.name) ?? job.from) : job.from;
      return { command, state: { positions: { [job.instance]: from } } };
    }
    const name = job.kind === 'confirm' ? job.name : job.transition.name;
    const state = { positions: { [this.instance]: this.positions.get(name) ?? 'closed' } };
    if (job.kind === 'confirm') return { command: { type: 'ConfirmBreakerOutage', name, instance: this.instance, now }, state };
    const t = job.transition;
    const base = { name, instance: this.instance, now };
    const command: BreakerTransitionCommand =
      t.to === 'open'
        ? { ...base, type: 'RecordBreakerOpened', failures: t.window.failures, calls: t.window.calls, failureRatio: t.window.failureRatio }
        : t.to === 'half-open'
          ? { ...base, type: 'RecordBreakerHalfOpened' }
          : { ...base, type: 'RecordBreakerClosed', consecutiveSuccesses: t.halfOpenSuccesses };
    return { command, state };
  }
}

/**
 * Whether `instance` (`<app>@<host>:<pid>`, as the apps name themselves) is a process of this
 * host that no longer runs. Instances of other hosts are left to their lease.
 */
export function deadOnThisHost(instance: string): boolean {
  const match = /@(.+):(\d+)$/.exec(instance);
  if (!match || match[1] !== hostname()) return false;
  const pid = Number(match[2]);
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
