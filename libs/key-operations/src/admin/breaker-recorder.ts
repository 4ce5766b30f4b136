import { breakerStream, breakerTransitionsDecider, decodeBreakerEvent, type BreakerTransitionCommand } from '@keyledger/kms-domain';
import type { BreakerTransition } from '@keyledger/resilience';
import { handleCommand } from '../commands/command-handler';
import type { KeyOperationsPorts } from '../deps';

const MAX_QUEUE = 1000;

/**
 * Records breaker transitions as events, off the request path: `enqueue` only pushes (it runs
 * inside the breaker's listener); a background drain appends them in order. A failed append is
 * reported and dropped: the record must never block or fail a request.
 */
export class BreakerTransitionRecorder {
  private readonly queue: BreakerTransition[] = [];
  private draining: Promise<void> | null = null;

  constructor(
    private readonly ports: KeyOperationsPorts,
    private readonly instance: string,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  enqueue(transition: BreakerTransition): void {
    if (this.queue.length >= MAX_QUEUE) this.queue.shift();
    this.queue.push(transition);
    if (!this.draining) this.draining = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.drain());
  }

  /** Resolves when everything queued so far is recorded. */
  async flush(): Promise<void> {
    while (this.draining) await this.draining;
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

  private async record(t: BreakerTransition): Promise<void> {
    const base = { name: t.name, instance: this.instance, now: new Date(this.ports.clock.now()) };
    const command: BreakerTransitionCommand =
      t.to === 'open'
        ? { ...base, type: 'RecordBreakerOpened', failures: t.window.failures, calls: t.window.calls, failureRatio: t.window.failureRatio }
        : t.to === 'half-open'
          ? { ...base, type: 'RecordBreakerHalfOpened' }
          : { ...base, type: 'RecordBreakerClosed', consecutiveSuccesses: t.halfOpenSuccesses };
    const actor = { subject: `service:${this.instance}`, correlationId: `breaker-${t.name}` };
    // Safe to retry: another instance's transition in between only changes what this one's `from` is.
    await handleCommand(this.ports, actor, {
      stream: breakerStream(t.name),
      aggregate: { decider: breakerTransitionsDecider, decode: decodeBreakerEvent },
      command: () => command,
    });
  }
}
