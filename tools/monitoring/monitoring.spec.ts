import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse as load } from 'yaml';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { exportedSeriesNames, metricCatalogue } from '@keyledger/observability';
import { describeWith, promtool } from '@keyledger/testing';
import { metricNamesInPromQL } from './promql-names';

const root = path.resolve(__dirname, '../..');
const dir = path.join(__dirname, 'prometheus');
const RULES = path.join(dir, 'keyledger-alerts.yml');
const RULE_TESTS = [path.join(dir, 'keyledger-alerts.test.yml'), path.join(dir, 'keyledger-alerts-rotation.test.yml')];
const DASHBOARD = path.join(__dirname, 'grafana', 'keyledger-dashboard.json');

/** The alerts issue 7 and the seed documents ask for. */
const EXPECTED_ALERTS = [
  'KMSCacheHitRateLow',
  'KMSOperationFailures',
  'KMSHighLatency',
  'KMSKeyRotationOverdue',
  'KMSCircuitBreakerOpen',
  'KMSHighAPIUsage',
  'KMSSigningFrozen',
  'BreakGlassSessionActive',
  'ProjectionLagHigh',
  'KeyledgerDown',
];
const SEVERITIES = ['critical', 'warning', 'info'];

interface AlertRule {
  alert: string;
  expr: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface RuleTestCase {
  alertname: string;
  exp_alerts?: unknown[];
}

function alertRules(): AlertRule[] {
  const doc = load(readFileSync(RULES, 'utf8')) as { groups: { rules: AlertRule[] }[] };
  return doc.groups.flatMap((g) => g.rules);
}

function ruleTestCases(): RuleTestCase[] {
  return RULE_TESTS.flatMap((file) => {
    const doc = load(readFileSync(file, 'utf8')) as { tests: { alert_rule_test?: RuleTestCase[] }[] };
    return doc.tests.flatMap((t) => t.alert_rule_test ?? []);
  });
}

function dashboardExpressions(): string[] {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: { targets?: { expr: string }[] }[] };
  return dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
}

/** Every series name a keyledger app exports: the catalogue plus prom-client's default metrics. */
async function exportedNames(): Promise<Set<string>> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const defaults = (await registry.getMetricsAsJSON()).map((m) => ({ name: m.name, kind: String(m.type) === 'histogram' ? ('histogram' as const) : ('gauge' as const), help: '', labelNames: [] }));
  const catalogue = Object.values(metricCatalogue());
  return new Set([...exportedSeriesNames(catalogue), ...exportedSeriesNames(defaults), 'up']);
}

describe('metricNamesInPromQL', () => {
  it('finds metric names and skips functions, labels, ranges, groupings, keywords and variables', () => {
    const expr =
      'histogram_quantile(0.99, sum by (le, provider) (rate(kms_provider_request_seconds_bucket{job=~"keyledger.*"}[$__rate_interval]))) > 0.1 ' +
      'and on (job) (time() - kms_last_rotation_timestamp_seconds offset 5m) > 90 * 86400 or up == 0';
    expect(metricNamesInPromQL(expr).sort()).toEqual(['kms_last_rotation_timestamp_seconds', 'kms_provider_request_seconds_bucket', 'up']);
  });

  it('returns an unknown name so the catalogue check can fail', () => {
    expect(metricNamesInPromQL('sum(rate(kms_cache_hits[5m]))')).toEqual(['kms_cache_hits']);
  });
});

describe('alert rules, runbooks and dashboard', () => {
  it('define exactly the expected alerts, each with severity, summary, description and a runbook that exists', () => {
    const rules = alertRules();
    expect(rules.map((r) => r.alert).sort()).toEqual([...EXPECTED_ALERTS].sort());
    for (const rule of rules) {
      expect(SEVERITIES).toContain(rule.labels?.['severity']);
      expect(rule.annotations?.['summary']).toEqual(expect.any(String));
      expect(rule.annotations?.['description']).toEqual(expect.any(String));
      expect(rule.annotations?.['runbook_url']).toBe(`docs/runbooks/${rule.alert}.md`);
      const runbook = path.join(root, `docs/runbooks/${rule.alert}.md`);
      expect(existsSync(runbook)).toBe(true);
      expect(readFileSync(runbook, 'utf8')).toContain(`# ${rule.alert}`);
    }
  });

  it('have, for every alert, a promtool case where it fires and one where it does not', () => {
    const cases = ruleTestCases();
    for (const alert of EXPECTED_ALERTS) {
      const mine = cases.filter((c) => c.alertname === alert);
      expect({ alert, fires: mine.some((c) => (c.exp_alerts ?? []).length > 0) }).toEqual({ alert, fires: true });
      expect({ alert, quiet: mine.some((c) => (c.exp_alerts ?? []).length === 0) }).toEqual({ alert, quiet: true });
    }
  });

  it('name only metrics the apps export (rules and dashboard)', async () => {
    const exported = await exportedNames();
    const used = new Set([...alertRules().map((r) => r.expr), ...dashboardExpressions()].flatMap(metricNamesInPromQL));
    expect(used.size).toBeGreaterThan(15);
    expect([...used].filter((name) => !exported.has(name))).toEqual([]);
  });

  it('cover every catalogue metric in the dashboard', () => {
    const used = new Set(dashboardExpressions().flatMap(metricNamesInPromQL));
    const missing = Object.values(metricCatalogue()).filter((d) => !exportedSeriesNames([d]).some((s) => used.has(s)));
    expect(missing.map((d) => d.name)).toEqual([]);
  });
});

describeWith([promtool], 'promtool', () => {
  it('accepts the rules file (promtool check rules)', () => {
    const out = execFileSync('promtool', ['check', 'rules', RULES], { encoding: 'utf8' });
    expect(out).toContain(`SUCCESS: ${EXPECTED_ALERTS.length} rules found`);
  });

  it('passes the alert unit tests (promtool test rules)', () => {
    const out = execFileSync('promtool', ['test', 'rules', ...RULE_TESTS], { encoding: 'utf8', cwd: dir, timeout: 120_000 });
    expect(out.match(/SUCCESS/g)).toHaveLength(RULE_TESTS.length);
  }, 120_000);
});
