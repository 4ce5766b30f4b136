/**
 * HTTP sign throughput and p99 of the built API (embedded SQLite store, local provider, cache
 * warm) at 50 connections, against a bare node:http server doing the same sign (ECDSA P-256, then
 * Ed25519), both measured in the same run; plus the cache-hit retrieval p50/p99 and provider calls
 * per 1M signs.
 *
 *   npx nx build api && TSX_TSCONFIG_PATH=tsconfig.base.json npx tsx tools/bench/api-sign.bench.ts
 *
 * Fairness: both servers run in their own Node process (autocannon runs here; the API logs to a
 * file, not to a pipe this process would have to drain), get the same
 * request (same body, same headers including the bearer token), sign with a key of the same algorithm and
 * answer the same JSON shape; each load runs alone, alternating bare/API for BENCH_ROUNDS rounds
 * after a warm-up of each, and the best round of each is compared.
 *
 * Environment: BENCH_SECONDS (default 8), BENCH_CONNECTIONS (default 50), BENCH_ROUNDS (default 2),
 * BENCH_LOG_LEVEL (API log level, default info: every request logged, as in production).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSecretKey, randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { KeyCache, noTelemetry } from '@keyledger/key-operations';
import { row, runStandalone, type BenchRow } from './bench-rows';

const seconds = Number(process.env['BENCH_SECONDS'] ?? 8);
const connections = Number(process.env['BENCH_CONNECTIONS'] ?? 50);
const rounds = Number(process.env['BENCH_ROUNDS'] ?? 2);
const logLevel = process.env['BENCH_LOG_LEVEL'] ?? 'info';
const body = JSON.stringify({ message: Buffer.from('bench message').toString('base64') });

type Run = { rps: number; p99: number; non2xx: number; total: number };

async function load(url: string, headers: Record<string, string>, duration = seconds): Promise<Run> {
  const result = await autocannon({ url, method: 'POST', connections, duration, headers: { 'content-type': 'application/json', ...headers }, body });
  return { rps: result.requests.average, p99: result.latency.p99, non2xx: result.non2xx, total: result.requests.total };
}

/** The baseline: node:http, JSON in and out, one sign per request (BARE_ALG: ecdsa or ed25519), in a process of its own. */
const BARE_SERVER = `
const { createServer } = require('node:http');
const { generateKeyPairSync, sign } = require('node:crypto');
const ed = process.env.BARE_ALG === 'ed25519';
const { privateKey } = ed ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'P-256' });
const algorithm = ed ? 'ED25519' : 'ECDSA_P256_SHA256';
const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const { message } = JSON.parse(Buffer.concat(chunks).toString());
    const signature = sign(ed ? null : 'sha256', Buffer.from(message, 'base64'), { key: privateKey, dsaEncoding: 'der' }).toString('base64');
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ signature, keyVersion: 1, kid: 'bare.v1', algorithm }));
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write('port ' + server.address().port + '\\n'));
`;

function waitFor(child: ChildProcess, pattern: RegExp, done: (m: RegExpExecArray) => boolean = () => true): Promise<RegExpExecArray> {
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = pattern.exec(out);
      if (m && done(m)) resolve(m);
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
}

async function startBare(alg: 'ecdsa' | 'ed25519'): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['-e', BARE_SERVER], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, BARE_ALG: alg } });
  const m = await waitFor(child, /port (\d+)/);
  return { child, url: `http://127.0.0.1:${m[1]}/sign` };
}

/**
 * The API writes its log to a file in its data directory, as under a process manager, rather than
 * to a pipe read by this process: this process also runs autocannon, and reading every access line
 * here would slow the load generator during the API's rounds only.
 */
export async function startApi(dataDir: string, port: number): Promise<{ child: ChildProcess; token: string }> {
  const logFile = join(dataDir, 'api.log');
  const log = openSync(logFile, 'a');
  const child = spawn('node', ['-r', './tools/scripts/register-paths.cjs', 'dist/apps/api/apps/api/src/main.js'], {
    env: { ...process.env, KEYLEDGER_DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: logLevel, RATE_LIMIT_TENANT_RPS: '0', NODE_ENV: 'development' },
    stdio: ['ignore', log, 'inherit'],
  });
  closeSync(log);
  let exited: number | null = null;
  child.on('exit', (code) => (exited = code ?? -1));
  for (let waited = 0; waited < 60_000; waited += 100) {
    const out = readFileSync(logFile, 'utf8');
    const m = /(kl_dev_[A-Za-z0-9_-]+)/.exec(out);
    if (m && out.includes('listening')) return { child, token: m[1] };
    if (exited !== null) throw new Error(`the API exited with ${exited} before listening:\n${out.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGTERM');
  throw new Error('the API did not start listening within 60 s');
}

export async function api(port: number, token: string, method: string, path: string, payload?: unknown) {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: payload === undefined ? undefined : JSON.stringify(payload) });
  return (await res.json()) as Record<string, unknown>;
}

async function cacheHitLatency(): Promise<{ p50: number; p99: number }> {
  const cache = new KeyCache({ maxSize: 1000, privateTtlMs: 3_600_000, publicTtlMs: 86_400_000, telemetry: noTelemetry });
  const id = { tenantId: 't', keyId: 'k', version: 1, kind: 'secret' as const };
  await cache.get(id, 'encryption', async () => ({ kind: 'secret', secretKey: createSecretKey(randomBytes(32)) }));
  const samples: number[] = [];
  for (let i = 0; i < 200_000; i++) {
    const t = process.hrtime.bigint();
    await cache.get(id, 'encryption', () => Promise.reject(new Error('miss')));
    samples.push(Number(process.hrtime.bigint() - t) / 1000);
  }
  samples.sort((a, b) => a - b);
  return { p50: samples[Math.floor(samples.length * 0.5)], p99: samples[Math.floor(samples.length * 0.99)] };
}

const best = (runs: Run[]): Run => runs.reduce((a, b) => (b.rps > a.rps ? b : a));

/** Alternating bare/API loads for one algorithm; the best round of each. */
async function compare(port: number, token: string, alg: 'ecdsa' | 'ed25519'): Promise<{ baseline: Run; ours: Run; apiTotal: number }> {
  const key = (await api(port, token, 'POST', '/v1/keys', { tenantId: 'bench', name: `sign-${alg}`, purpose: 'sign', algorithm: alg === 'ed25519' ? 'ED25519' : 'ECDSA_P256_SHA256' })).keyId as string;
  const apiUrl = `http://127.0.0.1:${port}/v1/keys/${key}/sign`;
  const bare = await startBare(alg);
  const headers = { authorization: `Bearer ${token}` };
  try {
    await api(port, token, 'POST', `/v1/keys/${key}/sign`, JSON.parse(body));
    await load(bare.url, headers, 2); // warm-up, each alone
    await load(apiUrl, headers, 2);
    const bareRuns: Run[] = [];
    const apiRuns: Run[] = [];
    for (let i = 0; i < rounds; i++) {
      bareRuns.push(await load(bare.url, headers));
      apiRuns.push(await load(apiUrl, headers));
    }
    console.log(`${alg} rounds (req/s)  bare ${bareRuns.map((r) => r.rps.toFixed(0)).join(', ')}; API ${apiRuns.map((r) => r.rps.toFixed(0)).join(', ')}`);
    return { baseline: best(bareRuns), ours: best(apiRuns), apiTotal: apiRuns.reduce((n, r) => n + r.total, 0) };
  } finally {
    bare.child.kill('SIGTERM');
  }
}

function signRows(label: string, c: { baseline: Run; ours: Run }): BenchRow[] {
  const ratio = c.ours.rps / c.baseline.rps;
  console.log(`${label}: bare ${c.baseline.rps.toFixed(0)} req/s p99 ${c.baseline.p99} ms; API ${c.ours.rps.toFixed(0)} req/s p99 ${c.ours.p99} ms non-2xx ${c.ours.non2xx} (LOG_LEVEL=${logLevel})`);
  return [
    row({ name: `HTTP sign ${label} throughput (${connections} connections)`, figure: c.ours.rps, unit: 'req/s', baseline: c.baseline.rps, baselineName: 'bare node:http doing the same sign', target: 'ratio >= 0.6', pass: ratio >= 0.6 && c.ours.non2xx === 0 }),
    row({ name: `HTTP sign ${label} p99`, figure: c.ours.p99, unit: 'ms', baseline: c.baseline.p99, baselineName: 'bare node:http doing the same sign', target: 'info', pass: null, higherIsBetter: false }),
  ];
}

/** Rows for `npm run bench` (needs `npx nx build api` first). */
export async function runApiSignBench(): Promise<BenchRow[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'keyledger-bench-'));
  const port = 18000 + Math.floor(Math.random() * 1000);
  const { child, token } = await startApi(dataDir, port);
  try {
    const before = (await api(port, token, 'GET', '/api/admin/kms/status')).cache as { misses: number };
    const ecdsa = await compare(port, token, 'ecdsa');
    const ed25519 = await compare(port, token, 'ed25519');
    const after = (await api(port, token, 'GET', '/api/admin/kms/status')).cache as { misses: number };
    // Each key's first sign (outside the measured loads) is one miss; the rest are steady state.
    const steadyMisses = Math.max(0, after.misses - before.misses - 2);
    const perMillion = (steadyMisses / Math.max(1, ecdsa.apiTotal + ed25519.apiTotal)) * 1_000_000;
    const hit = await cacheHitLatency();
    console.log(`cache-hit retrieval p50 ${hit.p50.toFixed(2)} µs p99 ${hit.p99.toFixed(2)} µs; provider calls / 1M ${perMillion.toFixed(1)}`);
    return [
      ...signRows('ECDSA P-256', ecdsa),
      ...signRows('Ed25519', ed25519),
      row({ name: 'cache-hit key retrieval p50', figure: hit.p50, unit: 'µs', baseline: null, baselineName: '-', target: 'info', pass: null }),
      row({ name: 'cache-hit key retrieval p99', figure: hit.p99, unit: 'µs', baseline: null, baselineName: '-', target: '<= 20 µs', pass: hit.p99 <= 20 }),
      row({ name: 'provider calls per 1M signs (steady state)', figure: perMillion, unit: 'calls', baseline: null, baselineName: '-', target: '<= 100', pass: perMillion <= 100 }),
    ];
  } finally {
    child.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (require.main === module) void runStandalone(runApiSignBench);
