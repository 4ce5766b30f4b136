import { existsSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { WorkerReply, WorkerRequest } from './event-worker-protocol';
import type { IndexedFindingList } from './indexed-findings';
import type { RowBatch } from './row-batch';
import { RowSlotWriter } from './shared-rows';

/** Batches sent but not yet checked before `send` waits: bounds memory when the worker lags. */
const MAX_IN_FLIGHT = 8;

/**
 * Shared slots the rows go through. Batch k is written into slot k mod SLOTS; at that moment at most
 * MAX_IN_FLIGHT earlier batches (k-MAX_IN_FLIGHT..k-1) are unacknowledged, since send waits
 * otherwise, and acks come in order: batch k-SLOTS, the slot's previous tenant, has been checked.
 */
const SLOTS = MAX_IN_FLIGHT + 1;

/** Young generation of the worker: parsed events die young; a larger nursery means fewer scavenges. */
const YOUNG_GENERATION_MB = 64;

/**
 * The replay's event half on a worker thread: the main thread copies the rows it reads into shared
 * memory (the UTF-8 bytes of the very strings it hashes, so both halves check the same bytes) and
 * gets the findings back at the end.
 * Any failure of the worker rejects the replay: a partial check is never reported as clean.
 */
export class EventWorker {
  private readonly worker: Worker;
  private inFlight = 0;
  private failure: Error | null = null;
  private wake: (() => void) | null = null;
  private finishing: { resolve: (found: IndexedFindingList) => void; reject: (error: Error) => void } | null = null;
  private closing = false;
  private readonly slots = Array.from({ length: SLOTS }, () => new RowSlotWriter());
  private sent = 0;

  constructor() {
    const { code, execArgv } = bootstrap();
    this.worker = new Worker(code, { eval: true, execArgv, env: workerEnv(), resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
    this.worker.on('message', (m: WorkerReply) => this.onMessage(m));
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) => {
      if (!this.closing) this.fail(new Error(`the replay worker stopped (exit code ${code})`));
    });
  }

  /** True while the thread can take a replay (it has not failed or been closed). */
  get usable(): boolean {
    return this.failure === null && !this.closing;
  }

  /** Lets the process exit while this worker waits idle between replays (or not, while one runs). */
  keepProcessAlive(keep: boolean): void {
    if (keep) this.worker.ref();
    else this.worker.unref();
  }

  /** Sends rows starting at replay index `start`; waits while too many batches are unchecked. */
  async send(batch: RowBatch, start: number): Promise<void> {
    this.throwIfFailed();
    const slot = this.sent % SLOTS;
    const buffers = this.slots[slot].write(batch);
    this.post({ kind: 'batch', start, slot, count: batch.length, buffers });
    this.sent += 1;
    this.inFlight += 1;
    while (this.inFlight > MAX_IN_FLIGHT && this.failure === null) await new Promise<void>((r) => (this.wake = r));
    this.throwIfFailed();
  }

  /** Ends the replay at `count` events and returns the event half's findings; the worker is then ready for another replay. */
  finish(count: number): Promise<IndexedFindingList> {
    this.throwIfFailed();
    return new Promise<IndexedFindingList>((resolvePromise, reject) => {
      this.finishing = { resolve: resolvePromise, reject };
      this.post({ kind: 'finish', count });
    });
  }

  /** Stops the thread (when done with it, or to abandon a replay that failed). */
  async close(): Promise<void> {
    this.closing = true;
    await this.worker.terminate();
  }

  private post(request: WorkerRequest): void {
    this.worker.postMessage(request);
  }

  private onMessage(m: WorkerReply): void {
    switch (m.kind) {
      case 'ack':
        this.inFlight -= 1;
        this.wakeUp();
        return;
      case 'done': {
        const finishing = this.finishing;
        this.finishing = null;
        this.inFlight = 0;
        finishing?.resolve({ indexes: m.indexes, findings: m.findings });
        return;
      }
      default: {
        const never: never = m;
        this.fail(new Error(`unexpected message from the replay worker: ${String((never as { kind: string }).kind)}`));
      }
    }
  }

  private fail(error: Error): void {
    this.failure = this.failure ?? error;
    this.wakeUp();
    const finishing = this.finishing;
    this.finishing = null;
    finishing?.reject(this.failure);
  }

  private wakeUp(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }
}

/**
 * The worker's start-up code. From compiled JavaScript it loads replay-worker.js with the
 * process's own Node options (e.g. a path-alias hook). When this module runs as TypeScript (tsx,
 * ts-jest) it registers tsx's CommonJS loader in the thread only, without the parent's loader
 * flags (tsx's ESM hooks would cost the thread a second start-up).
 */
function bootstrap(): { code: string; execArgv: string[] | undefined } {
  const typescript = extname(__filename) === '.ts';
  const entry = join(__dirname, `replay-worker${typescript ? '.ts' : '.js'}`);
  const load = `require(${JSON.stringify(entry)});`;
  if (!typescript) return { code: load, execArgv: undefined };
  return { code: `require(${JSON.stringify(require.resolve('tsx/cjs'))});${load}`, execArgv: [] };
}

/** The worker's environment: tsx needs the workspace's path aliases when running from source. */
function workerEnv(): NodeJS.ProcessEnv {
  if (extname(__filename) !== '.ts' || process.env['TSX_TSCONFIG_PATH']) return process.env;
  const base = resolve(__dirname, '../../../../tsconfig.base.json');
  return existsSync(base) ? { ...process.env, TSX_TSCONFIG_PATH: base } : process.env;
}
