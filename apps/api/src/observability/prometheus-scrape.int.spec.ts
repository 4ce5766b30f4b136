import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { KmsMetrics } from '@keyledger/observability';
import { loadConfig } from '@keyledger/runtime';
import { describeWith, prometheus } from '@keyledger/testing';
import { startApi } from '../bootstrap';

const RULES = path.resolve(__dirname, '../../../../tools/monitoring/prometheus/keyledger-alerts.yml');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function poll<T>(what: string, timeoutMs: number, attempt: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await attempt().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

type QueryResult = { status: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } };

describeWith([prometheus], 'a real Prometheus scraping the API', () => {
  let app: NestFastifyApplication;
  let server: ChildProcess;
  let dir: string;
  let promBase: string;
  let serverLog = '';

  beforeAll(async () => {
    app = await startApi({ ...loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }), port: 0 }, { observability: { tenantLabel: true } });
    const address = app.getHttpServer().address();
    if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
    const metrics = app.get(KmsMetrics);
    for (let i = 0; i < 3; i += 1) metrics.cacheHit('signing');
    metrics.breakerState('kms-signing-key', 'half_open');

    dir = mkdtempSync(path.join(tmpdir(), 'keyledger-prom-'));
    const config = [
      'global:',
      '  scrape_interval: 1s',
      '  evaluation_interval: 1s',
      'rule_files:',
      `  - ${JSON.stringify(RULES)}`,
      'scrape_configs:',
      '  - job_name: keyledger-api',
      '    static_configs:',
      `      - targets: ['127.0.0.1:${address.port}']`,
    ].join('\n');
    writeFileSync(path.join(dir, 'prometheus.yml'), `${config}\n`);
    const port = await freePort();
    promBase = `http://127.0.0.1:${port}`;
    server = spawn(
      'prometheus',
      [`--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    server.stderr?.on('data', (chunk: Buffer) => (serverLog += chunk.toString('utf8')));
    await poll('prometheus to be ready', 30_000, async () => ((await fetch(`${promBase}/-/ready`)).ok ? true : undefined));
  }, 60_000);

  afterAll(async () => {
    if (server !== undefined && server.exitCode === null) {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    }
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    if (app !== undefined) await app.close();
  }, 30_000);

  async function query(promql: string): Promise<QueryResult['data']['result']> {
    const res = await fetch(`${promBase}/api/v1/query?query=${encodeURIComponent(promql)}`);
    const body = (await res.json()) as QueryResult;
    if (body.status !== 'success') throw new Error(`query failed: ${JSON.stringify(body)}`);
    return body.data.result;
  }

  it('reads back a catalogue metric the API recorded, through the query API', async () => {
    const result = await poll('kms_cache_hit_total to be scraped', 30_000, async () => {
      const r = await query('kms_cache_hit_total{job="keyledger-api",key_type="signing"}');
      return r.length > 0 ? r : undefined;
    }).catch((err: unknown) => {
      throw new Error(`${String(err)}; prometheus said: ${serverLog.slice(-2000)}`);
    });
    expect(result[0].value[1]).toBe('3');
    expect(await query('up{job="keyledger-api"}')).toEqual([expect.objectContaining({ value: [expect.any(Number), '1'] })]);
    expect((await query('circuit_breaker_state{name="kms-signing-key"}'))[0].value[1]).toBe('2');
  }, 60_000);

  it('loads the shipped alert rules', async () => {
    const res = await fetch(`${promBase}/api/v1/rules?type=alert`);
    const body = (await res.json()) as { data: { groups: { rules: { name: string; health: string }[] }[] } };
    const rules = body.data.groups.flatMap((g) => g.rules);
    expect(rules).toHaveLength(10);
    expect(rules.map((r) => r.name)).toContain('KMSCircuitBreakerOpen');
  });
});
