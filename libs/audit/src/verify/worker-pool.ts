import { EventWorker } from './event-worker';

/**
 * At most one idle replay worker per process. Starting a worker thread costs ~100-150 ms (more
 * when it must load TypeScript through tsx); keeping it between replays, and starting it early
 * with `prepareReplayWorker`, takes that off the replay. An idle worker does not keep the process
 * alive, and holds no state from the replay before (it starts each replay afresh).
 */
let idle: EventWorker | null = null;

/** Starts the replay worker ahead of time (e.g. while the command line reads its inputs). */
export function prepareReplayWorker(): void {
  if (idle !== null && idle.usable) return;
  idle = new EventWorker();
  idle.keepProcessAlive(false);
}

/** A worker for one replay: the idle one when it is usable, otherwise a new one. */
export function takeReplayWorker(): EventWorker {
  const taken = idle !== null && idle.usable ? idle : new EventWorker();
  idle = null;
  taken.keepProcessAlive(true);
  return taken;
}

/** Gives back a worker whose replay finished; a failed or surplus worker is stopped. */
export async function releaseReplayWorker(worker: EventWorker, ok: boolean): Promise<void> {
  if (!ok || !worker.usable || idle !== null) {
    await worker.close();
    return;
  }
  worker.keepProcessAlive(false);
  idle = worker;
}

/** Stops the idle worker, if any (tests, or a host that wants its threads back). */
export async function closeReplayWorkers(): Promise<void> {
  const worker = idle;
  idle = null;
  if (worker !== null) await worker.close();
}
