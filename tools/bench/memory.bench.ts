/**
 * Resident memory of the built API with 10k keys in its key cache, against the same API on the
 * same store with an empty cache, both measured in the same run. The keys (10 tenants) are created
 * through the API, then the API is restarted with KMS_CACHE_WARM_COUNT=10000, which loads every
 * key's primary version at start.
 *
 * The keys are AES-256 encryption keys by default: every signing key version is also registered in
 * the signer registry, one read-and-fold of the whole `signerregistry-global` stream per
 * registration (quadratic: thousands of signing keys take tens of minutes to create). Set
 * BENCH_SIGN_SHARE (0..1, default 0) to make that share of the keys ECDSA P-256 signing keys.
 *
 *   npx nx build api && TSX_TSCONFIG_PATH=tsconfig.base.json npx tsx tools/bench/memory.bench.ts
 *
 * RSS is read from /proc/<pid>/status (Linux) once the cache is full and the process idle (max of
 * five samples over 2.5 s). Target: <= 250 MB. Environment: BENCH_KEYS (default 10000), BENCH_SIGN_SHARE.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { row, runStandalone, type BenchRow } from './bench-rows';

const KEYS = Number(process.env['BENCH_KEYS'] ?? 10_000);
const SIGN_SHARE = Number(process.env['BENCH_SIGN_SHARE'] ?? 0);
const TOKEN = `bench-memory-${Date.now()}-token`;

interface Api {
  readonly child: ChildProcess;
  readonly base: string;
}

async function startApi(dataDir: string, warm: number): Promise<Api> {
  const port = 19000 + Math.floor(Math.random() * 1000);
  const child = spawn(process.execPath, ['-r', './tools/scripts/register-paths.cjs', 'dist/apps/api/apps/api/src/main.js'], {
    env: { ...process.env, NODE_ENV: 'production', REQUIRE_KMS: 'false', KMS_PROVIDER: 'local', KEYLEDGER_DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn', AUTH_TOKENS_FILE: join(dataDir, 'tokens.json'), RATE_LIMIT_TENANT_RPS: '0', KMS_CACHE_MAX_SIZE: String(KEYS * 2), KMS_CACHE_WARM_COUNT: String(warm) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('listening')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`API exited with ${code}`)));
  });
  child.stdout?.resume();
  return { child, base: `http://127.0.0.1:${port}` };
}

async function stop(api: Api): Promise<void> {
  const exited = new Promise((r) => api.child.once('exit', r));
  api.child.kill('SIGTERM');
  await exited;
}

async function post(api: Api, path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${api.base}${path}`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, unknown>;
}

async function cacheSize(api: Api): Promise<number> {
  const res = await fetch(`${api.base}/api/admin/kms/status`, { headers: { authorization: `Bearer ${TOKEN}` } });
  return ((await res.json()) as { cache: { size: number } }).cache.size;
}

/** Max VmRSS (MB) over five samples, 500 ms apart. */
async function rssMb(pid: number): Promise<number> {
  let max = 0;
  for (let i = 0; i < 5; i++) {
    await new Promise((r) => setTimeout(r, 500));
    const kb = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    max = Math.max(max, kb / 1024);
  }
  return max;
}

async function createKeys(api: Api): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < KEYS; i = next++) await post(api, '/v1/keys', { tenantId: `tenant${i % 10}`, name: `k${i}`, purpose: i < KEYS * SIGN_SHARE ? 'sign' : 'encrypt' });
  };
  await Promise.all(Array.from({ length: 16 }, worker));
}

/** Rows for `npm run bench` (needs `npx nx build api` first). */
export async function runMemoryBench(): Promise<BenchRow[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'keyledger-bench-memory-'));
  writeFileSync(join(dataDir, 'tokens.json'), JSON.stringify([{ token: TOKEN, subject: 'bench', roles: ['admin', 'key-admin', 'client'], tenants: ['*'] }]));
  try {
    const setup = await startApi(dataDir, 0);
    const started = Date.now();
    await createKeys(setup);
    console.log(`created ${KEYS} keys in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    await stop(setup);
    const empty = await startApi(dataDir, 0);
    const baseline = await rssMb(empty.child.pid as number);
    const emptySize = await cacheSize(empty);
    await stop(empty);
    const warm = await startApi(dataDir, KEYS);
    const size = await cacheSize(warm);
    const figure = await rssMb(warm.child.pid as number);
    await stop(warm);
    console.log(`node ${process.version}; RSS with ${size} cached keys: ${figure.toFixed(1)} MB; same API and store, ${emptySize} cached: ${baseline.toFixed(1)} MB`);
    if (size < KEYS) throw new Error(`expected ${KEYS} cached keys, the cache holds ${size}`);
    return [row({ name: `API resident memory, ${KEYS} keys cached (${Math.round(SIGN_SHARE * 100)}% signing)`, figure, unit: 'MB', baseline, baselineName: 'same API and store, empty cache', target: '<= 250 MB', pass: figure <= 250, higherIsBetter: false })];
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (require.main === module) void runStandalone(runMemoryBench);
