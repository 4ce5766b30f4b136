/** Measurement helpers for resilience.bench.ts (kept apart so the bench file reads as a table). */
import {
  circuitBreaker,
  ConstantBackoff,
  CountBreaker,
  handleWhen,
  retry,
  timeout,
  TimeoutStrategy,
  wrap,
} from 'cockatiel';

export interface Variant {
  readonly name: string;
  readonly run: () => Promise<unknown>;
}

export interface Result {
  readonly name: string;
  /** Median over rounds of the mean time per call, in µs. */
  readonly usPerCall: number;
  /**
   * Median over rounds of (this variant's mean − the first variant's mean in the same round), in
   * µs: paired within a round, so drift between rounds (other jobs, CPU frequency) cancels out
   * instead of landing in a difference of two medians. 0 for the first variant.
   */
  readonly overheadUs: number;
}

/** cockatiel 3 with the seeds' parameters: 3 retries at 100 ms, count breaker 10 / 0.5, 5 s timeout. */
export function makeCockatielPolicy() {
  const transient = handleWhen((e) => (e as { transient?: unknown }).transient === true);
  return wrap(
    retry(transient, { maxAttempts: 3, backoff: new ConstantBackoff(100) }),
    circuitBreaker(transient, { halfOpenAfter: 5000, breaker: new CountBreaker({ threshold: 0.5, size: 10 }) }),
    timeout(5000, TimeoutStrategy.Aggressive),
  );
}

async function timeRound(variant: Variant, calls: number): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) await variant.run();
  return Number(process.hrtime.bigint() - start) / 1000 / calls;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * One warm-up round, then `rounds` rounds with the variants interleaved so drift hits all alike.
 * The order rotates every round, so no variant always follows the same one (and times the garbage
 * that one left behind).
 */
export async function measureRounds(variants: Variant[], calls: number, rounds: number): Promise<Result[]> {
  for (const v of variants) await timeRound(v, Math.ceil(calls / 2));
  const samples = variants.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < variants.length; k++) {
      const i = (r + k) % variants.length;
      const v = variants[i];
      if (v !== undefined) samples[i]?.push(await timeRound(v, calls));
    }
  }
  const bare = samples[0] ?? [];
  return variants.map((v, i) => {
    const own = samples[i] ?? [];
    return { name: v.name, usPerCall: median(own), overheadUs: median(own.map((us, r) => us - (bare[r] ?? Number.NaN))) };
  });
}

/** Lines: time per call, overhead over the first (bare) variant, ratios. */
export function summarise(results: Result[]): string[] {
  const [bare, ...rest] = results;
  if (bare === undefined) return [];
  const lines = [`  ${bare.name.padEnd(18)} ${bare.usPerCall.toFixed(3).padStart(9)} µs/call`];
  const overheads = new Map<string, number>();
  for (const r of rest) {
    const overhead = r.overheadUs;
    overheads.set(r.name, overhead);
    lines.push(
      `  ${r.name.padEnd(18)} ${r.usPerCall.toFixed(3).padStart(9)} µs/call  overhead ${overhead.toFixed(3).padStart(7)} µs` +
        `  (${(r.usPerCall / bare.usPerCall).toFixed(2)}× bare)`,
    );
  }
  const ours = overheads.get('keyledger policy');
  const theirs = overheads.get('cockatiel wrap');
  if (ours !== undefined && theirs !== undefined) {
    lines.push(`  overhead ratio keyledger / cockatiel: ${(ours / theirs).toFixed(2)}`);
  }
  return lines;
}
