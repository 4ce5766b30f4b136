import type { Context } from '../context';
import { EXIT } from '../context';
import { pairs, printJson, progress } from '../output';

/** A rotate-all job as the API answers it (docs/api.md, "Rotate-all jobs"). */
export interface RotationJob {
  readonly jobId: string;
  readonly status: 'running' | 'completed';
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly total: number;
  readonly rotated: number;
  readonly skipped: number;
  readonly failed: number;
  readonly remaining: number;
}

/** How often the job is polled while it runs. */
export const JOB_POLL_MS = 500;

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `keys rotate --all`: starts the rotate-all job (or joins the one running), polls it with a progress
 * bar until it completes, then prints it (`--json`: the final job). Exit 1 when a key failed.
 */
export async function rotateAll(ctx: Context, pollMs = JOB_POLL_MS): Promise<number> {
  let job = (await ctx.client.request<RotationJob>('POST', '/api/admin/kms/rotate-all-keys', {})).body;
  const bar = progress(ctx.io, `rotate-all ${job.jobId}`, job.total);
  while (job.status !== 'completed') {
    bar.step(job.total - job.remaining, `rotated ${job.rotated}, skipped ${job.skipped}, failed ${job.failed}`);
    await pause(pollMs);
    job = (await ctx.client.request<RotationJob>('GET', `/api/admin/kms/jobs/${encodeURIComponent(job.jobId)}`)).body;
  }
  bar.end();
  if (ctx.json) printJson(ctx.io, job);
  else {
    const summary = pairs([
      ['job', job.jobId],
      ['started', job.startedAt],
      ['finished', job.finishedAt],
      ['keys', job.total],
      ['rotated', job.rotated],
      ['skipped', job.skipped],
      ['failed', job.failed],
    ]);
    ctx.io.out(`${summary}\n`);
  }
  return job.failed > 0 ? EXIT.failed : EXIT.ok;
}
