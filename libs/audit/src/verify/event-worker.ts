import { existsSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { WorkerReply, WorkerRequest, WorkerRows } from './event-worker-protocol';
import type { IndexedFindingList } from './indexed-findings';
import type { RowBatch } from './row-batch';

/** Batches sent but not yet checked before `send` waits: bounds memory when the worker lags. */
const MAX_IN_FLIGHT = 8;

/** Young generation of the worker: parsed events die young; a larger nursery means fewer scavenges. */
const YOUNG_GENERATION_MB = 64;

/**
 * The replay's event half on a worker thread: the main thread sends it the rows it reads (the very
 * strings it hashes, so both halves check the same bytes) and gets the findings back at the end.
 * Any failure of the worker rejects the replay: a partial check is never reported as clean.
 */
export class EventWorker {
  private readonly worker: Worker;
  private inFlight = 0;
  private failure: Error | null = null;
  private wake: (() => void) | null = null;
  private finishing: { resolve: (found: IndexedFindingList) => void; reject: (error: Error) => void } | null = null;
  private closing = false;

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
    const rows = workerRows(batch);
    this.post({ kind: 'batch', start, rows }, [rows.positions.buffer, rows.revisions.buffer, rows.bodyEnds.buffer]);
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

  /** Sends a request; the `moved` buffers are transferred, not copied. */
  private post(request: WorkerRequest, moved: ArrayBuffer[] = []): void {
    this.worker.postMessage(request, moved);
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

/** The columns the event half reads: numbers in typed arrays (moved, not copied), bodies as one string. */
function workerRows(batch: RowBatch): WorkerRows {
  const n = batch.length;
  const positions = new Float64Array(n);
  const revisions = new Float64Array(n);
  const bodyEnds = new Uint32Array(n);
  const streams = new Array<string>(n);
  const bodies = new Array<string>(n);
  let end = 0;
  for (let i = 0; i < n; i++) {
    const r = batch[i];
    positions[i] = r[0];
    streams[i] = r[1];
    revisions[i] = r[2];
    bodies[i] = r[5];
    end += r[5].length;
    bodyEnds[i] = end;
  }
  return { positions, streams, revisions, bodies: bodies.join(''), bodyEnds };
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
