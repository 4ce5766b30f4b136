/**
 * Overhead of the composed resilience policy (retry ⟶ breaker ⟶ timeout ⟶ bulkhead) on a
 * successful call, against the bare call and against cockatiel 3's retry + breaker + timeout
 * composed with `wrap`, all measured in the same run. Figures are per sequential awaited call.
 *
 *   TSX_TSCONFIG_PATH=tsconfig.base.json npx tsx tools/bench/resilience.bench.ts
 *
 * Environment: BENCH_ROUNDS (default 15), BENCH_NOOP_CALLS (default 100000),
 * BENCH_SIGN_CALLS (default 4000).
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { defaultResiliencePolicyOptions, ResiliencePolicy } from '@keyledger/resilience';
import { row, runStandalone, type BenchRow } from './bench-rows';
import { makeCockatielPolicy, measureRounds, summarise, type Result, type Variant } from './resilience-harness';

type Call = (signal: AbortSignal) => Promise<unknown>;

const rounds = Number(process.env['BENCH_ROUNDS'] ?? 15);
const noopCalls = Number(process.env['BENCH_NOOP_CALLS'] ?? 100_000);
const signCalls = Number(process.env['BENCH_SIGN_CALLS'] ?? 4_000);

function variants(call: Call): Variant[] {
  const ours = new ResiliencePolicy(defaultResiliencePolicyOptions('kms-signing-key'));
  const cockatiel = makeCockatielPolicy();
  const idle = new AbortController().signal;
  return [
    { name: 'bare', run: () => call(idle) },
    { name: 'keyledger policy', run: () => ours.execute(call) },
    { name: 'cockatiel wrap', run: () => cockatiel.execute(({ signal }) => call(signal)) },
  ];
}

const overheadOf = (results: Result[], name: string): number => results.find((r) => r.name === name)?.overheadUs ?? Number.NaN;

/** Rows for `npm run bench`: overhead per successful call over the bare call, ours against cockatiel's. */
export async function runResilienceBench(): Promise<BenchRow[]> {
  const { privateKey } = generateKeyPairSync('ed25519');
  const message = Buffer.from('keyledger benchmark payload: a 64-byte message to be signed here');
  const noop: Call = () => Promise.resolve(1);
  const ed25519: Call = async () => sign(null, message, privateKey);

  console.log(`node ${process.version}, ${rounds} rounds (median of per-round means)`);
  const rows: BenchRow[] = [];
  for (const [label, call, n] of [
    ['no-op call', noop, noopCalls],
    ['Ed25519 sign', ed25519, signCalls],
  ] as const) {
    const results = await measureRounds(variants(call), n, rounds);
    console.log(`\n${label} (${n} calls per round)`);
    for (const line of summarise(results)) console.log(line);
    const ours = overheadOf(results, 'keyledger policy');
    const theirs = overheadOf(results, 'cockatiel wrap');
    rows.push(row({ name: `resilience overhead per call (${label})`, figure: ours, unit: 'µs', baseline: theirs, baselineName: 'cockatiel 3 wrap(retry, breaker, timeout)', target: '<= 2 µs and below cockatiel', pass: ours <= 2 && ours < theirs, higherIsBetter: false }));
  }
  return rows;
}

if (require.main === module) void runStandalone(runResilienceBench);
