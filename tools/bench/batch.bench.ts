/**
 * Batch input and versionless verification through the built API (embedded SQLite store, local
 * provider, cache warm) at 50 connections, each figure against its single-request baseline in the
 * same API process and run:
 *
 * - 100-item batch sign, items/s ÷ single sign requests/s (target ≥ 5);
 * - 100-item batch encrypt of 1 KiB items, items/s ÷ single encrypt requests/s (target ≥ 5);
 * - verify without keyVersion of a v1 signature on a key with 10 versions ÷ verify with keyVersion
 *   (target ≥ 0.5; the ECDSA candidate keys in libs/key-operations/src/crypto/ecdsa-candidates.ts).
 *
 *   npx nx build api && TSX_TSCONFIG_PATH=tsconfig.base.json npx tsx tools/bench/batch.bench.ts
 *
 * Each pair runs alternately (baseline first) for BENCH_ROUNDS rounds after a warm-up of each; the
 * best round of each is compared. Environment: BENCH_SECONDS (default 5), BENCH_CONNECTIONS
 * (default 50), BENCH_ROUNDS (default 2).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { api, startApi } from './api-sign.bench';
import { row, runStandalone, type BenchRow } from './bench-rows';

const seconds = Number(process.env['BENCH_SECONDS'] ?? 5);
const connections = Number(process.env['BENCH_CONNECTIONS'] ?? 50);
const rounds = Number(process.env['BENCH_ROUNDS'] ?? 2);
const BATCH = 100;

interface Load {
  readonly url: string;
  readonly body: string;
  /** Items each request carries. */
  readonly items: number;
}

/** Items per second of one load (requests/s × items per request); any non-2xx answer fails the bench. */
async function itemsPerSecond(token: string, load: Load, duration = seconds): Promise<number> {
  const r = await autocannon({ url: load.url, method: 'POST', connections, duration, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: load.body });
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`${load.url}: ${r.non2xx} non-2xx answers, ${r.errors} errors`);
  return r.requests.average * load.items;
}

async function compare(token: string, label: string, baseline: Load, ours: Load): Promise<{ baseline: number; ours: number }> {
  await itemsPerSecond(token, baseline, 2);
  await itemsPerSecond(token, ours, 2);
  const b: number[] = [];
  const o: number[] = [];
  for (let i = 0; i < rounds; i++) {
    b.push(await itemsPerSecond(token, baseline));
    o.push(await itemsPerSecond(token, ours));
  }
  console.log(`${label} rounds (items/s)  baseline ${b.map((x) => x.toFixed(0)).join(', ')}; ours ${o.map((x) => x.toFixed(0)).join(', ')}`);
  return { baseline: Math.max(...b), ours: Math.max(...o) };
}

const b64 = (s: string | Buffer): string => Buffer.from(s).toString('base64');

export async function runBatchBench(): Promise<BenchRow[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'keyledger-bench-batch-'));
  const port = 19000 + Math.floor(Math.random() * 1000);
  const { child, token } = await startApi(dataDir, port);
  const base = `http://127.0.0.1:${port}`;
  try {
    const create = async (name: string, purpose: string) => (await api(port, token, 'POST', '/v1/keys', { tenantId: 'bench', name, purpose })).keyId as string;
    const signKey = await create('batch-sign', 'sign');
    const encKey = await create('batch-enc', 'encrypt');
    const rotatedKey = await create('ten-versions', 'sign');

    const message = { message: b64('bench message') };
    const sign = await compare(
      token,
      'sign',
      { url: `${base}/v1/keys/${signKey}/sign`, body: JSON.stringify(message), items: 1 },
      { url: `${base}/v1/keys/${signKey}/sign`, body: JSON.stringify({ batch: Array.from({ length: BATCH }, () => message) }), items: BATCH },
    );

    const plaintext = { plaintext: b64(Buffer.alloc(1024, 7)) };
    const encrypt = await compare(
      token,
      'encrypt 1 KiB',
      { url: `${base}/v1/keys/${encKey}/encrypt`, body: JSON.stringify(plaintext), items: 1 },
      { url: `${base}/v1/keys/${encKey}/encrypt`, body: JSON.stringify({ batch: Array.from({ length: BATCH }, () => plaintext) }), items: BATCH },
    );

    const v1 = await api(port, token, 'POST', `/v1/keys/${rotatedKey}/sign`, message);
    for (let v = 2; v <= 10; v++) await api(port, token, 'POST', `/v1/keys/${rotatedKey}/rotate`);
    const check = await api(port, token, 'POST', `/v1/keys/${rotatedKey}/verify`, { ...message, signature: v1.signature });
    if (check.valid !== true || check.keyVersion !== 1) throw new Error(`verify without keyVersion answered ${JSON.stringify(check)}`);
    const verify = await compare(
      token,
      'verify v1 of 10 versions',
      { url: `${base}/v1/keys/${rotatedKey}/verify`, body: JSON.stringify({ ...message, signature: v1.signature, keyVersion: 1 }), items: 1 },
      { url: `${base}/v1/keys/${rotatedKey}/verify`, body: JSON.stringify({ ...message, signature: v1.signature }), items: 1 },
    );

    const baseline = 'requests, same API, same run';
    return [
      row({ name: `HTTP batch sign ECDSA P-256, ${BATCH} items (${connections} connections)`, figure: sign.ours, unit: 'items/s', baseline: sign.baseline, baselineName: `single sign ${baseline}`, target: 'ratio >= 5', pass: sign.ours / sign.baseline >= 5 }),
      row({ name: `HTTP batch encrypt 1 KiB, ${BATCH} items (${connections} connections)`, figure: encrypt.ours, unit: 'items/s', baseline: encrypt.baseline, baselineName: `single encrypt ${baseline}`, target: 'ratio >= 5', pass: encrypt.ours / encrypt.baseline >= 5 }),
      row({ name: `HTTP verify without keyVersion, v1 of 10 versions (${connections} connections)`, figure: verify.ours, unit: 'req/s', baseline: verify.baseline, baselineName: `verify with keyVersion ${baseline}`, target: 'ratio >= 0.5', pass: verify.ours / verify.baseline >= 0.5 }),
    ];
  } finally {
    child.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (require.main === module) void runStandalone(runBatchBench);
