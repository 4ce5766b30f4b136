/** The row every benchmark reports to `npm run bench` (tools/bench/run.ts), and how a bench file runs standalone. */
import { writeFileSync } from 'node:fs';

/** One figure against its baseline measured in the same run. */
export interface BenchRow {
  readonly name: string;
  readonly figure: number;
  readonly unit: string;
  /** The baseline's figure in the same unit (null when the target is absolute). */
  readonly baseline: number | null;
  /** What the baseline is. */
  readonly baselineName: string;
  /** figure / baseline, oriented so that higher is better for keyledger (null without a baseline). */
  readonly ratio: number | null;
  readonly target: string;
  /** Whether the target is met (null: informational row). */
  readonly pass: boolean | null;
}

/** A row; `higherIsBetter` false inverts the ratio (latencies, overheads, memory). */
export function row(fields: Omit<BenchRow, 'ratio'> & { readonly higherIsBetter?: boolean }): BenchRow {
  const { higherIsBetter = true, ...rest } = fields;
  const ratio = rest.baseline === null || rest.baseline === 0 || rest.figure === 0 ? null : higherIsBetter ? rest.figure / rest.baseline : rest.baseline / rest.figure;
  return { ...rest, ratio };
}

/** Environment variable through which run.ts asks a bench child process for its rows. */
export const ROWS_FILE_ENV = 'BENCH_ROWS_FILE';

/**
 * For `if (require.main === module) void runStandalone(fn)`: runs the bench, prints its rows, and
 * writes them as JSON to $BENCH_ROWS_FILE when run.ts asked for them.
 */
export async function runStandalone(bench: () => Promise<BenchRow[]>): Promise<void> {
  try {
    const rows = await bench();
    for (const r of rows) {
      const ratio = r.ratio === null ? '' : `, ratio ${r.ratio.toFixed(2)}`;
      console.log(`ROW ${r.name}: ${fmt(r.figure)} ${r.unit} (baseline ${r.baseline === null ? 'none' : fmt(r.baseline)}${ratio}; target ${r.target}: ${r.pass === null ? 'info' : r.pass ? 'pass' : 'FAIL'})`);
    }
    const file = process.env[ROWS_FILE_ENV];
    if (file) writeFileSync(file, JSON.stringify(rows));
  } catch (error) {
    console.error(error);
    process.exitCode = 1;
  }
}

/** A figure with sensible precision. */
export function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Math.abs(x) >= 1000) return Math.round(x).toLocaleString('en-US');
  if (Math.abs(x) >= 10) return x.toFixed(1);
  return x.toFixed(2);
}
