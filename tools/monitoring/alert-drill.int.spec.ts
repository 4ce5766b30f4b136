import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { witnessKeyOf } from '@keyledger/audit';
import { describeWith, prometheus } from '@keyledger/testing';
import { DRILL_TOKENS, call, sleep, startKeyledgerStack, type KeyledgerStack } from './drill/keyledger-stack';
import { startPrometheus, type PromAlert, type PrometheusProcess } from './drill/prometheus-process';
import { metricNamesInPromQL } from './promql-names';
import { DEFAULT_RUNBOOK_BASE_URL, SOURCE_RULES, renderRules, scaleRuleDurations } from './render-rules';

jest.setTimeout(300_000);

/** 5m → 10s, 1m → 2s, 1h → 2m: the shipped rules, thirty times faster. */
const SCALE = 30;
const T = 'drill';
const b64 = (s: string): string => Buffer.from(s).toString('base64');
const DASHBOARD = path.join(__dirname, 'grafana', 'keyledger-dashboard.json');

/**
 * Panel metrics that hold still on a healthy service by design; the drill checks they are scraped
 * (and, below, their healthy values) instead of a change.
 */
const STEADY: Readonly<Record<string, string>> = {
  up: 'stays 1 while the targets are healthy',
  kms_keys_rotation_overdue: 'stays 0: no key is older than a day during a drill',
  kms_rotations_total: 'no key is due for rotation during a drill (the series are exported at 0 per outcome)',
  eventstore_projection_lag_events: 'stays 0 while the views keep up with the store',
  audit_witness_up: 'exported at 0 for the configured witness until its first round (the checkpoint interval, 1 minute or more, outlasts the drill)',
  audit_witness_cosignatures_total: 'exported at 0 per outcome for the configured witness; no checkpoint round runs within the drill',
};
/** A witness the drill's scheduler is configured with (nothing listens there; no round runs during the drill anyway). */
const DRILL_WITNESS = witnessKeyOf('witness.drill/w1', generateKeyPairSync('ed25519').privateKey).vkey;

/** When each alert (by name and breaker) was first seen pending, first seen firing, and gone again. */
class AlertTimeline {
  private readonly started = Date.now();
  readonly entries = new Map<string, { pending?: number; firing?: number; resolved?: number }>();
  private current = new Set<string>();

  observe(alerts: readonly PromAlert[]): void {
    const now = Date.now() - this.started;
    const seen = new Set<string>();
    for (const a of alerts) {
      const key = a.labels['name'] ? `${a.labels['alertname']}{name=${a.labels['name']}}` : a.labels['alertname'];
      seen.add(key);
      const e = this.entries.get(key) ?? {};
      if (e.resolved !== undefined) Object.assign(e, { pending: undefined, firing: undefined, resolved: undefined });
      if (a.state === 'pending') e.pending ??= now;
      if (a.state === 'firing') e.firing ??= now;
      this.entries.set(key, e);
    }
    for (const key of this.current) if (!seen.has(key)) (this.entries.get(key) ?? {}).resolved ??= now;
    this.current = seen;
  }

  active(): string[] {
    return [...this.current];
  }

  alertNames(): string[] {
    return [...new Set([...this.entries.keys()].map((k) => k.replace(/\{.*$/, '')))];
  }

  of(alertname: string): { pending?: number; firing?: number; resolved?: number }[] {
    return [...this.entries.entries()].filter(([k]) => k.replace(/\{.*$/, '') === alertname).map(([, e]) => e);
  }

  print(marks: Readonly<Record<string, number>>): string {
    const s = (ms: number | undefined) => (ms === undefined ? '—' : `${(ms / 1000).toFixed(1)} s`);
    const lines = [`alert drill timeline (seconds since the healthy stretch began; rules scaled 1/${SCALE}):`];
    for (const [mark, at] of Object.entries(marks)) lines.push(`  ${mark.padEnd(48)} ${s(at - this.started)}`);
    lines.push(`  ${'alert'.padEnd(48)} pending   firing    resolved`);
    for (const [key, e] of this.entries) lines.push(`  ${key.padEnd(48)} ${s(e.pending).padEnd(9)} ${s(e.firing).padEnd(9)} ${s(e.resolved)}`);
    return lines.join('\n');
  }
}

describeWith([prometheus], 'alert drill: a real Prometheus on the shipped rules, kms-test-server black-holed', () => {
  let stack: KeyledgerStack;
  let prom: PrometheusProcess;
  let timeline: AlertTimeline;
  const marks: Record<string, number> = {};
  const admin = (method: string, route: string, body?: unknown) => call(stack.api.url, DRILL_TOKENS.admin, method, route, body);
  let traffic: { stop(): Promise<void> } | undefined;

  beforeAll(async () => {
    stack = await startKeyledgerStack({
      env: { KMS_CACHE_MAX_SIZE: '2', BREAKGLASS_MIN_OUTAGE_MINUTES: '0' },
      scheduler: { KMS_ROTATION_CRON: '*/2 * * * * *', KMS_ROTATION_JITTER_PERCENT: '0', AUDIT_WITNESSES: `http://127.0.0.1:9 ${DRILL_WITNESS}` },
    });
    const hostPort = (u: string) => u.replace(/^http:\/\//, '');
    const rules = scaleRuleDurations(renderRules(readFileSync(SOURCE_RULES, 'utf8'), DEFAULT_RUNBOOK_BASE_URL), SCALE);
    prom = await startPrometheus({
      rules,
      interval: '1s',
      targets: { 'keyledger-api': [hostPort(stack.api.url)], 'keyledger-scheduler': [hostPort(stack.scheduler?.url ?? '')] },
    });
    timeline = new AlertTimeline();
  });

  afterAll(async () => {
    await traffic?.stop();
    if (timeline) process.stdout.write(`${timeline.print(marks)}\n`);
    await prom?.stop();
    await stack?.stop();
  });

  /** Polls the alerts into the timeline until `done` holds (or the time is up). */
  async function watch(what: string, timeoutMs: number, done: () => boolean | Promise<boolean>): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      timeline.observe(await prom.alerts());
      if (await done()) return;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${timeline.print(marks)}\n${prom.log().slice(-2000)}`);
      await sleep(250);
    }
  }

  /** Clients keep signing (a cached key: no provider call) ten times a second; an operator's monitor validates once a second. */
  function startTraffic(signKey: string): { stop(): Promise<void> } {
    let running = true;
    const loop = (async () => {
      for (let i = 0; running; i++) {
        await admin('POST', `/v1/keys/${signKey}/sign`, { message: b64(`tick ${i}`) }).catch(() => undefined);
        if (i % 10 === 0) await admin('POST', '/api/admin/kms/validate', {}).catch(() => undefined);
        await sleep(100);
      }
    })();
    return {
      stop: async () => {
        running = false;
        await loop;
      },
    };
  }

  let signKey: string;

  it('scrapes both apps, and no alert is pending or firing on the healthy service', async () => {
    await watch('both targets up', 30_000, async () => (await prom.query('up{job=~"keyledger.*"} == 1')).length === 2);
    // Warm-up with every kind of retrieval; three keys in a cache of two also evict.
    const create = async (name: string, purpose: 'sign' | 'encrypt') => (await admin('POST', '/v1/keys', { tenantId: T, name, purpose })).body['keyId'] as string;
    signKey = await create('signer', 'sign');
    const sealKey = await create('sealer', 'encrypt');
    const otherKey = await create('other', 'sign');
    expect((await admin('POST', `/v1/keys/${sealKey}/encrypt`, { plaintext: b64('x'), context: { p: 'drill' } })).status).toBe(200);
    expect((await admin('POST', `/v1/keys/${otherKey}/sign`, { message: b64('x') })).status).toBe(200);
    expect((await admin('GET', `/v1/keys/${otherKey}/public-key`)).status).toBe(200);
    traffic = startTraffic(signKey);
    marks['healthy traffic started'] = Date.now();
    // The warm-up's handful of cold-cache misses weigh a lot in a 10 s window (5 minutes scaled):
    // KMSCacheHitRateLow may go pending for a few seconds here. Let them leave the window first.
    await sleep(12_000);
    timeline = new AlertTimeline();
    const quietUntil = Date.now() + 15_000;
    await watch('the healthy stretch', 30_000, () => {
      expect(timeline.active()).toEqual([]);
      return Date.now() > quietUntil;
    });
    expect(timeline.entries.size).toBe(0);
  });

  it('black-holes the provider: KMSCircuitBreakerOpen and KMSOperationFailures go pending, then firing', async () => {
    stack.kms.faults.set({ mode: 'black-hole' });
    marks['kms-test-server black-holed'] = Date.now();
    const firing = (name: string) => timeline.of(name).some((e) => e.firing !== undefined && e.resolved === undefined);
    await watch('both outage alerts to fire', 90_000, () => firing('KMSCircuitBreakerOpen') && firing('KMSOperationFailures'));
    for (const name of ['KMSCircuitBreakerOpen', 'KMSOperationFailures']) {
      const e = timeline.of(name).find((x) => x.firing !== undefined) ?? {};
      expect({ name, pendingFirst: e.pending !== undefined && e.firing !== undefined && e.pending <= e.firing }).toEqual({ name, pendingFirst: true });
    }
    // The fired alert carries the absolute runbook link.
    const alerts = await prom.alerts();
    expect(alerts.find((a) => a.labels['alertname'] === 'KMSOperationFailures')?.annotations['runbook_url']).toBe(`${DEFAULT_RUNBOOK_BASE_URL}/KMSOperationFailures.md`);
  });

  it('during the outage: a signing freeze and a break-glass session fire their own alerts', async () => {
    expect((await admin('POST', '/api/admin/signing/freeze', { reason: 'KMS outage drill' })).status).toBe(200);
    marks['signing frozen'] = Date.now();
    await watch('KMSSigningFrozen to fire', 30_000, () => timeline.of('KMSSigningFrozen').some((e) => e.firing !== undefined));
    expect((await admin('POST', '/api/admin/signing/resume', {})).status).toBe(200);
    marks['signing resumed'] = Date.now();
    const requester = (route: string, body: unknown) => call(stack.api.url, DRILL_TOKENS.requester, 'POST', route, body);
    const requested = await requester('/v1/break-glass', { tenantId: T, justification: 'signing provider black-holed in the drill', incidentRef: 'INC-7', ttlMinutes: 30 });
    expect(requested.status).toBe(201);
    const id = requested.body['sessionId'] as string;
    expect((await call(stack.api.url, DRILL_TOKENS.security, 'POST', `/v1/break-glass/${id}/approve`, {})).status).toBe(200);
    expect((await call(stack.api.url, DRILL_TOKENS.finance, 'POST', `/v1/break-glass/${id}/approve`, {})).status).toBe(200);
    marks['break-glass session active'] = Date.now();
    expect((await requester(`/v1/break-glass/${id}/sign`, { message: b64('hotfix'), justification: 'release during the outage', tenantId: T })).status).toBe(200);
    await watch('BreakGlassSessionActive to fire', 30_000, () => timeline.of('BreakGlassSessionActive').some((e) => e.firing !== undefined));
    expect((await requester(`/v1/break-glass/${id}/close`, { reason: 'drill over' })).status).toBe(200);
    marks['break-glass session closed'] = Date.now();
  });

  it('recovers: every alert resolves once the provider answers again', async () => {
    stack.kms.faults.clear();
    marks['kms-test-server recovered'] = Date.now();
    await watch('every alert to resolve', 90_000, () => timeline.active().length === 0 && timeline.entries.size > 0);
    for (const name of ['KMSCircuitBreakerOpen', 'KMSOperationFailures', 'KMSSigningFrozen', 'BreakGlassSessionActive']) {
      expect({ name, resolved: timeline.of(name).every((e) => e.resolved !== undefined) && timeline.of(name).length > 0 }).toEqual({ name, resolved: true });
    }
    // Nothing else fired at any point of the drill.
    expect(timeline.alertNames().sort()).toEqual(['BreakGlassSessionActive', 'KMSCircuitBreakerOpen', 'KMSOperationFailures', 'KMSSigningFrozen']);
  });

  it('moved every metric a dashboard panel queries (or shows its steady healthy value)', async () => {
    await traffic?.stop();
    traffic = undefined;
    const window = `${Math.ceil((Date.now() - (marks['healthy traffic started'] ?? Date.now())) / 1000) + 5}s`;
    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: { title: string; targets?: { expr: string }[] }[] };
    const report: { panel: string; metric: string; evidence: string }[] = [];
    for (const panel of dashboard.panels.filter((p) => (p.targets ?? []).length > 0)) {
      for (const metric of new Set((panel.targets ?? []).flatMap((t) => metricNamesInPromQL(t.expr)))) {
        const present = Number((await prom.query(`count(${metric})`))[0]?.value[1] ?? 0);
        const changes = Number((await prom.query(`sum(changes(${metric}[${window}]))`))[0]?.value[1] ?? 0);
        const evidence = changes > 0 ? `changed ${changes}×` : present > 0 && metric in STEADY ? `steady: ${STEADY[metric]}` : 'NOT MOVING';
        report.push({ panel: panel.title, metric, evidence });
      }
    }
    process.stdout.write(`dashboard panels checked:\n${report.map((r) => `  ${r.panel} — ${r.metric}: ${r.evidence}`).join('\n')}\n`);
    expect(report.filter((r) => r.evidence === 'NOT MOVING')).toEqual([]);
    expect(report.length).toBeGreaterThan(20);
    // The steady ones read as healthy.
    expect((await prom.query('min(up{job=~"keyledger.*"})'))[0]?.value[1]).toBe('1');
    expect((await prom.query('max(kms_keys_rotation_overdue)'))[0]?.value[1]).toBe('0');
    expect((await prom.query('max(eventstore_projection_lag_events{projection="key-status"})'))[0]?.value[1]).toBe('0');
    expect((await prom.query('count(kms_rotations_total{job="keyledger-scheduler"})'))[0]?.value[1]).toBe('3');
  });
});
