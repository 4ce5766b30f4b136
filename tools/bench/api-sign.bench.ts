/**
 * HTTP sign throughput and p99 of the built API (embedded SQLite store, local provider, cache
 * warm) at 50 connections, against a bare node:http server doing the same ECDSA P-256 sign, both
 * measured in the same run; plus the cache-hit retrieval p99 and provider calls per 1M signs.
 *
 *   npx nx build api && TSX_TSCONFIG_PATH=tsconfig.base.json npx tsx tools/bench/api-sign.bench.ts
 *
 * Environment: BENCH_SECONDS (default 8), BENCH_CONNECTIONS (default 50).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSecretKey, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { KeyCache, noTelemetry } from '@keyledger/key-operations';

const seconds = Number(process.env['BENCH_SECONDS'] ?? 8);
const connections = Number(process.env['BENCH_CONNECTIONS'] ?? 50);
const body = JSON.stringify({ message: Buffer.from('bench message').toString('base64') });

async function load(url: string, headers: Record<string, string>) {
  const result = await autocannon({ url, method: 'POST', connections, duration: seconds, headers: { 'content-type': 'application/json', ...headers }, body });
  return { rps: result.requests.average, p99: result.latency.p99, non2xx: result.non2xx, total: result.requests.total };
}

function bareServer(): Promise<{ url: string; close: () => void }> {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const { message } = JSON.parse(Buffer.concat(chunks).toString()) as { message: string };
      const signature = sign('sha256', Buffer.from(message, 'base64'), { key: privateKey, dsaEncoding: 'der' }).toString('base64');
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ signature, keyVersion: 1 }));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const address = server.address() as { port: number };
    resolve({ url: `http://127.0.0.1:${address.port}/sign`, close: () => server.close() });
  }));
}

async function startApi(dataDir: string, port: number): Promise<{ child: ChildProcess; token: string }> {
  const child = spawn('node', ['-r', './tools/scripts/register-paths.cjs', 'dist/apps/api/apps/api/src/main.js'], {
    env: { ...process.env, KEYLEDGER_DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn', RATE_LIMIT_TENANT_RPS: '0', NODE_ENV: 'development' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const token = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /(kl_dev_[A-Za-z0-9_-]+)/.exec(out);
      if (m && out.includes('listening')) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`api exited with ${code}`)));
  });
  return { child, token };
}

async function api(port: number, token: string, method: string, path: string, payload?: unknown) {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: payload === undefined ? undefined : JSON.stringify(payload) });
  return (await res.json()) as Record<string, unknown>;
}

async function cacheHitP99(): Promise<number> {
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
  return samples[Math.floor(samples.length * 0.99)];
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'keyledger-bench-'));
  const port = 18000 + Math.floor(Math.random() * 1000);
  const { child, token } = await startApi(dataDir, port);
  try {
    const key = (await api(port, token, 'POST', '/v1/keys', { tenantId: 'bench', name: 'sign', purpose: 'sign' })).keyId as string;
    await api(port, token, 'POST', `/v1/keys/${key}/sign`, JSON.parse(body));
    const before = (await api(port, token, 'GET', '/api/admin/kms/status')).cache as { misses: number };
    const bare = await bareServer();
    await load(bare.url, {}); // warm-up
    const baseline = await load(bare.url, {});
    bare.close();
    const ours = await load(`http://127.0.0.1:${port}/v1/keys/${key}/sign`, { authorization: `Bearer ${token}` });
    const after = (await api(port, token, 'GET', '/api/admin/kms/status')).cache as { misses: number };
    const providerCallsPerMillion = ((after.misses - before.misses) / Math.max(1, ours.total)) * 1_000_000;
    const hitP99 = await cacheHitP99();
    console.log(`bare node:http sign   ${baseline.rps.toFixed(0)} req/s  p99 ${baseline.p99} ms`);
    console.log(`keyledger API sign    ${ours.rps.toFixed(0)} req/s  p99 ${ours.p99} ms  non-2xx ${ours.non2xx}`);
    console.log(`throughput ratio      ${(ours.rps / baseline.rps).toFixed(2)} (target >= 0.6)`);
    console.log(`cache-hit retrieval   p99 ${hitP99.toFixed(2)} µs (target <= 20)`);
    console.log(`provider calls / 1M   ${providerCallsPerMillion.toFixed(1)} at steady state (target <= 100)`);
  } finally {
    child.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  }
}

void main();
