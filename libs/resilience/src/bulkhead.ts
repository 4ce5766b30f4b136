import { BulkheadFullError } from './errors';
import type { BulkheadSettings } from './settings';
import { assertValid, bulkheadProblems } from './validate';

/** A queued call; `grant` hands it a slot that the releasing call passed on. */
export interface BulkheadWaiter {
  grant(): void;
}

/**
 * Bounds concurrent calls and the queue of calls waiting for a slot; beyond both it refuses at
 * once with {@link BulkheadFullError}. A slot is held until the underlying call settles, even
 * after a timeout, so the bound on concurrent provider calls stays true.
 */
export class Bulkhead {
  readonly maxConcurrent: number;
  readonly maxQueue: number;
  private running = 0;
  private readonly queue: BulkheadWaiter[] = [];

  constructor(settings: BulkheadSettings) {
    assertValid(bulkheadProblems(settings));
    this.maxConcurrent = settings.maxConcurrent;
    this.maxQueue = settings.maxQueue;
  }

  get active(): number {
    return this.running;
  }

  get queued(): number {
    return this.queue.length;
  }

  /** Takes a slot if one is free. */
  tryAcquire(): boolean {
    if (this.running >= this.maxConcurrent) return false;
    this.running++;
    return true;
  }

  /** Queues `waiter` for the next free slot, or throws {@link BulkheadFullError} when the queue is full. */
  enqueue(waiter: BulkheadWaiter): void {
    if (this.queue.length >= this.maxQueue) throw new BulkheadFullError(this.maxConcurrent, this.maxQueue);
    this.queue.push(waiter);
  }

  /** Withdraws a queued waiter (its deadline passed); returns whether it was still queued. */
  withdraw(waiter: BulkheadWaiter): boolean {
    const i = this.queue.indexOf(waiter);
    if (i < 0) return false;
    this.queue.splice(i, 1);
    return true;
  }

  /** Frees a slot, handing it straight to the first queued call if there is one. */
  release(): void {
    const next = this.queue.shift();
    if (next === undefined) this.running--;
    else next.grant();
  }

  /** Runs `fn` within the bulkhead alone. */
  async execute<T>(fn: () => T | PromiseLike<T>): Promise<T> {
    if (!this.tryAcquire()) {
      await new Promise<void>((grant) => this.enqueue({ grant }));
    }
    try {
      return await fn();
    } finally {
      this.release();
    }
  }
}
