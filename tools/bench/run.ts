/**
 * `npm run bench`: builds the API, runs every benchmark in its own process, one after another
 * (so none disturbs another's timing), and prints one table: each figure with the baseline
 * measured in the same run, the ratio and the target, plus the machine and the date.
 *
 *   TSX_TSCONFIG_PATH=tsconfig.base.json npx tsx tools/bench/run.ts [--json [file]] [--only name,name]
 *
 * `--json` also writes the table as JSON (default file: tmp/bench/results.json). `--only` runs
 * the named benches (file names without .bench.ts). Exit code 1 when a bench could not run;
 * missed targets are reported in the table, not as a failure (they are measurements, not tests).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { ROWS_FILE_ENV, fmt, type BenchRow } from './bench-rows';

const ROOT = resolve(__dirname, '../..');
/** In the order they run; `api` ones need the built API. */
const BENCHES: readonly { readonly name: string; readonly api?: true }[] = [
  { name: 'api-sign', api: true },
  { name: 'envelope' },
  { name: 'resilience' },
  { name: 'event-store' },
  { name: 'audit-verify' },
  { name: 'memory', api: true },
  { name: 'scale', api: true },
];

interface Results {
  readonly machine: { readonly cores: number; readonly cpu: string; readonly node: string; readonly platform: string };
  readonly date: string;
  readonly command: string;
  readonly rows: readonly (BenchRow & { readonly bench: string })[];
  readonly failed: readonly string[];
}

function parseArgs(argv: readonly string[]): { json: string | null; only: string[] | null } {
  let json: string | null = null;
  let only: string[] | null = null;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--json') json = argv[i + 1] && !argv[i + 1]?.startsWith('--') ? (argv[++i] as string) : join(ROOT, 'tmp/bench/results.json');
    else if (argv[i] === '--only') only = (argv[++i] ?? '').split(',').filter(Boolean);
    else throw new Error(`unknown argument ${argv[i]}; usage: run.ts [--json [file]] [--only name,name]`);
  }
  return { json, only };
}

/** Runs one bench file in a child process and reads the rows it wrote. */
function runBench(name: string): BenchRow[] | null {
  const dir = mkdtempSync(join(tmpdir(), 'keyledger-bench-rows-'));
  const rowsFile = join(dir, 'rows.json');
  try {
    process.stderr.write(`\n=== ${name} ===\n`);
    const run = spawnSync(process.execPath, [require.resolve('tsx/cli'), join(__dirname, `${name}.bench.ts`)], {
      cwd: ROOT,
      stdio: ['ignore', process.stderr, process.stderr],
      env: { ...process.env, TSX_TSCONFIG_PATH: join(ROOT, 'tsconfig.base.json'), [ROWS_FILE_ENV]: rowsFile },
    });
    if (run.status !== 0 || !existsSync(rowsFile)) return null;
    return JSON.parse(readFileSync(rowsFile, 'utf8')) as BenchRow[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The table, as Markdown (it goes into docs/benchmarks.md as is). */
export function renderTable(results: Results): string {
  const { machine } = results;
  const lines = [
    `Machine: ${machine.cores} cores (${machine.cpu}), Node ${machine.node}, ${machine.platform}; run ${results.date}`,
    '',
    '| measure | figure | baseline (same run) | baseline figure | ratio | target | result |',
    '|---|---|---|---|---|---|---|',
    ...results.rows.map((r) => {
      const base = r.baseline === null ? '-' : `${fmt(r.baseline)} ${r.unit}`;
      const result = r.pass === null ? 'info' : r.pass ? 'pass' : '**miss**';
      return `| ${r.name} | ${fmt(r.figure)} ${r.unit} | ${r.baselineName} | ${base} | ${r.ratio === null ? '-' : `${r.ratio.toFixed(r.ratio < 1 ? 3 : 2)}×`} | ${r.target} | ${result} |`;
    }),
  ];
  if (results.failed.length > 0) lines.push('', `Could not run: ${results.failed.join(', ')}`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { json, only } = parseArgs(process.argv.slice(2));
  const selected = BENCHES.filter((b) => only === null || only.includes(b.name));
  if (selected.some((b) => b.api)) execFileSync('npx', ['nx', 'build', 'api', '--outputStyle=static'], { cwd: ROOT, stdio: ['ignore', process.stderr, process.stderr], env: { ...process.env, NX_DAEMON: 'false' } });
  const rows: Results['rows'][number][] = [];
  const failed: string[] = [];
  for (const bench of selected) {
    const got = runBench(bench.name);
    if (got === null) failed.push(bench.name);
    else rows.push(...got.map((r) => ({ ...r, bench: bench.name })));
  }
  const cpu = cpus();
  const results: Results = {
    machine: { cores: cpu.length, cpu: cpu[0]?.model.trim() ?? 'unknown', node: process.version, platform: `${process.platform} ${process.arch}` },
    date: new Date().toISOString(),
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    rows,
    failed,
  };
  process.stdout.write(`\n${renderTable(results)}\n`);
  if (json) {
    mkdirSync(dirname(json), { recursive: true });
    writeFileSync(json, JSON.stringify(results, null, 2));
    process.stdout.write(`\nwritten: ${json}\n`);
  }
  if (failed.length > 0) process.exitCode = 1;
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
