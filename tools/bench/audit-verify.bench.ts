/**
 * Throughput of the auditor's full replay (`audit verify`: hash chains, schemas, Merkle tree,
 * checkpoint signatures/roots/consistency, break-glass and lifecycle rules) over a 100k-event
 * embedded store, against a raw SHA-256 chain over the same stored bytes, both measured in the
 * same run. The baseline reads the same rows from the same SQLite file and recomputes
 * SHA-256(prevHash ‖ body) per row with the store's own chainHash (the function the replay uses
 * too); ratio = baseline time / replay time (target ≥ 0.5). The replay is timed three ways: with
 * its worker thread already running (kept between replays in one process, as after the CLI's
 * start-up), with the worker started inside the timed run, and on one thread.
 *
 *   TSX_TSCONFIG_PATH=tsconfig.base.json npx tsx tools/bench/audit-verify.bench.ts
 *
 * Environment: BENCH_EVENTS (default 100000), BENCH_ROUNDS (default 5), BENCH_DIR (keep the built
 * store there and reuse it on the next run instead of a fresh temporary directory).
 */
import Database from 'better-sqlite3';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore, chainHash } from '@keyledger/adapters';
import { AuditLog, closeReplayWorkers, nodeCryptoSigner, noteVerifierKey, openSqliteAuditSource, signAuditCheckpoint, verifyAuditSource } from '@keyledger/audit';
import { EventStore, NewEvent, keyStream } from '@keyledger/kms-domain';
import { row, runStandalone, type BenchRow } from './bench-rows';

const totalEvents = Number(process.env['BENCH_EVENTS'] ?? 100_000);
const rounds = Number(process.env['BENCH_ROUNDS'] ?? 5);
const EVENTS_PER_KEY = 10;
const KEYS_PER_CHECKPOINT = 1000;

let seq = 0;
const at = (i: number) => new Date(Date.UTC(2025, 0, 1) + i * 1000).toISOString();
const meta = (i: number) => ({ eventId: `bench-${++seq}`, occurredAt: at(i), actor: 'service:rotation-scheduler', correlationId: `c-${seq}`, causationId: null });
const material = (s: string) => ({ mode: 'wrapped', wrappedMaterialSha256: createHash('sha256').update(s).digest('hex'), masterKeyRef: 'arn:aws:kms:eu-west-1:111122223333:key/bench' });

/** One key's history: created, then rotated to versions 2..10 (valid under the lifecycle rules). */
function keyHistory(k: number): NewEvent[] {
  const [tenantId, keyId] = [`tenant${k % 50}`, `key${k}`];
  const events: NewEvent[] = [{ type: 'KeyCreated', schemaVersion: 1, data: { tenantId, keyId, purpose: 'sign', algorithm: 'ECDSA_P256_SHA256', provider: 'aws', mode: 'wrapped', rotationPeriodDays: 90, material: material(`${k}-1`), createdAt: at(k) }, metadata: meta(k) }];
  for (let v = 2; v <= EVENTS_PER_KEY; v++) {
    events.push({ type: 'KeyRotated', schemaVersion: 1, data: { tenantId, keyId, version: v, previousPrimaryVersion: v - 1, reason: 'scheduled', material: material(`${k}-${v}`), rotatedAt: at(k + v) }, metadata: meta(k + v) });
  }
  return events;
}

async function buildStore(dir: string): Promise<{ pem: ReturnType<typeof noteVerifierKey> }> {
  const store: EventStore = SqliteEventStore.open({ dataDir: dir, fileName: 'bench.sqlite', synchronous: 'NORMAL' });
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const signer = nodeCryptoSigner('keyledger.bench/audit', privateKey);
  const log = new AuditLog(store);
  const keys = Math.ceil(totalEvents / EVENTS_PER_KEY);
  for (let k = 0; k < keys; k++) {
    const history = keyHistory(k);
    const [tenantId, keyId] = [(history[0].data as { tenantId: string }).tenantId, `key${k}`];
    await store.append(keyStream(tenantId, keyId), history);
    if ((k + 1) % KEYS_PER_CHECKPOINT === 0 || k === keys - 1) {
      await signAuditCheckpoint(log, store, { origin: 'keyledger.bench/audit', signer, context: meta(k) });
    }
  }
  await store.close();
  writeFileSync(join(dir, 'audit.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
  return { pem: noteVerifierKey(publicKey) };
}

/** Rows per read, as the replay's SQLite source reads them (the baseline is no faster with 5000). */
const PAGE = 1000;

/** The baseline: same file, same rows, SHA-256(prevHash ‖ body) checked per row and nothing else. */
function rawChain(file: string): number {
  const db = new Database(file, { readonly: true });
  const page = db.prepare<[number, number], [number, string, string, string]>('SELECT position, prev_hash, hash, body FROM events WHERE position > ? ORDER BY position LIMIT ?').raw(true);
  let after = 0;
  let bad = 0;
  for (;;) {
    const rows = page.all(after, PAGE);
    for (const [, prevHash, hash, body] of rows) if (chainHash(prevHash, body) !== hash) bad++;
    if (rows.length < PAGE) break;
    after = rows[rows.length - 1][0];
  }
  db.close();
  return bad;
}

async function replay(file: string, pinned: ReturnType<typeof noteVerifierKey>, threads: 1 | 2): Promise<number> {
  const source = openSqliteAuditSource(file);
  const report = await verifyAuditSource(source, { auditKey: pinned, threads });
  await source.close();
  if (!report.clean) throw new Error(`benchmark store should replay clean: ${JSON.stringify(report.findings.slice(0, 3))}`);
  return report.eventsChecked;
}

async function time(fn: () => unknown): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Rows for `npm run bench`: the full replay (worker already started) against the raw chain. */
export async function runAuditVerifyBench(): Promise<BenchRow[]> {
  const dir = process.env.BENCH_DIR ?? mkdtempSync(join(tmpdir(), "audit-bench-"));
  try {
    const file = join(dir, 'bench.sqlite');
    const reuse = existsSync(file) && existsSync(join(dir, 'audit.pem'));
    const { pem } = reuse ? { pem: noteVerifierKey(readFileSync(join(dir, 'audit.pem'), 'utf8')) } : await buildStore(dir);
    const events = await replay(file, pem, 2);
    await replay(file, pem, 1);
    console.log(`node ${process.version}; ${events} events (key lifecycle events + checkpoints), ${rounds} rounds, median`);
    const [base, warm, cold, single]: number[][] = [[], [], [], []];
    for (let r = 0; r < rounds; r++) {
      base.push(await time(() => rawChain(file)));
      warm.push(await time(() => replay(file, pem, 2)));
      await closeReplayWorkers();
      cold.push(await time(() => replay(file, pem, 2)));
      single.push(await time(() => replay(file, pem, 1)));
    }
    const [b, w, c, s1] = [base, warm, cold, single].map(median);
    const rate = (ms: number) => Math.round(events / (ms / 1000));
    const line = (label: string, ms: number) => console.log(`${label.padEnd(44)} ${ms.toFixed(0).padStart(5)} ms  (${rate(ms)} events/s, ratio ${(b / ms).toFixed(2)})`);
    line('raw SHA-256 chain (read + hash)', b);
    line('audit verify (worker thread, already started)', w);
    line('audit verify (worker thread started cold)', c);
    line('audit verify --threads 1', s1);
    console.log(`ratio (raw / replay): ${(b / w).toFixed(2)} (worker kept between replays), ${(b / c).toFixed(2)} (cold worker); target >= 0.5`);
    await closeReplayWorkers();
    return [
      row({ name: 'audit verification (full replay)', figure: rate(w), unit: 'events/s', baseline: rate(b), baselineName: 'raw SHA-256 chain over the same rows', target: '>= 0.5x raw', pass: b / w >= 0.5 }),
      row({ name: 'audit verification (cold worker)', figure: rate(c), unit: 'events/s', baseline: rate(b), baselineName: 'raw SHA-256 chain over the same rows', target: 'info', pass: null }),
    ];
  } finally {
    if (!process.env.BENCH_DIR) rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) void runStandalone(runAuditVerifyBench);
