import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { freePort } from '../../cli/test/api-process';

/** An alert as `/api/v1/alerts` lists it (pending or firing; resolved alerts are absent). */
export interface PromAlert {
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly state: 'pending' | 'firing';
  readonly activeAt: string;
}

export interface PrometheusProcess {
  readonly url: string;
  /** Instant query; the result vector. */
  query(promql: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  alerts(): Promise<PromAlert[]>;
  /** What Prometheus wrote to stderr (shown when something fails). */
  log(): string;
  stop(): Promise<void>;
}

/**
 * Debian's `prometheus` on a random loopback port with a temporary data directory, scraping the
 * given `job → host:port` targets and evaluating `rules` (the text of a rule file) every `interval`.
 */
export async function startPrometheus(options: { readonly rules: string; readonly targets: Readonly<Record<string, readonly string[]>>; readonly interval: string }): Promise<PrometheusProcess> {
  const dir = mkdtempSync(path.join(tmpdir(), 'keyledger-drill-prom-'));
  writeFileSync(path.join(dir, 'rules.yml'), options.rules);
  const jobs = Object.entries(options.targets).flatMap(([job, targets]) => [`  - job_name: ${job}`, '    static_configs:', `      - targets: ${JSON.stringify(targets)}`]);
  const config = ['global:', `  scrape_interval: ${options.interval}`, `  evaluation_interval: ${options.interval}`, 'rule_files:', '  - rules.yml', 'scrape_configs:', ...jobs].join('\n');
  writeFileSync(path.join(dir, 'prometheus.yml'), `${config}\n`);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let stderr = '';
  const child: ChildProcess = spawn(
    'prometheus',
    [`--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-20_000)));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const api = async <T>(route: string): Promise<T> => {
    const body = (await (await fetch(`${url}${route}`)).json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`prometheus ${route}: ${body.error ?? 'failed'}`);
    return body.data;
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`prometheus exited with ${child.exitCode}: ${stderr}`);
    }
    const ready = await fetch(`${url}/-/ready`).then((r) => r.ok, () => false);
    if (ready) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus not ready after 30 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    query: async (promql) => (await api<{ result: { metric: Record<string, string>; value: [number, string] }[] }>(`/api/v1/query?query=${encodeURIComponent(promql)}`)).result,
    alerts: async () => (await api<{ alerts: PromAlert[] }>('/api/v1/alerts')).alerts,
    log: () => stderr,
    stop,
  };
}
