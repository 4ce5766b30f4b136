import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { describeWith, promtool } from '@keyledger/testing';
import {
  DEFAULT_RUNBOOK_BASE_URL,
  RENDERED_RULES,
  SOURCE_RULES,
  durationMs,
  formatDuration,
  renderRules,
  renderRunbookUrls,
  runbookBaseUrl,
  scalePromQLDurations,
  scaleRuleDurations,
} from './render-rules';

type Rule = { alert: string; expr: string; for?: string; annotations: Record<string, string> };
const rulesOf = (text: string): Rule[] => (parse(text) as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules);
const source = readFileSync(SOURCE_RULES, 'utf8');

describe('runbook links (RUNBOOK_BASE_URL)', () => {
  it('turns every repository runbook path into an absolute link under the base, changing nothing else', () => {
    const rendered = renderRunbookUrls(source, 'https://wiki.corp.test/sre/keyledger/');
    const rules = rulesOf(rendered);
    expect(rules).toHaveLength(10);
    for (const rule of rules) expect(rule.annotations['runbook_url']).toBe(`https://wiki.corp.test/sre/keyledger/${rule.alert}.md`);
    const changed = rendered.split('\n').filter((line, i) => line !== source.split('\n')[i]);
    expect(changed).toHaveLength(10);
    expect(changed.every((line) => line.trim().startsWith('runbook_url: https://wiki.corp.test/'))).toBe(true);
  });

  it('uses the documented default when RUNBOOK_BASE_URL is unset or blank', () => {
    expect(runbookBaseUrl(undefined)).toBe(DEFAULT_RUNBOOK_BASE_URL);
    expect(runbookBaseUrl('  ')).toBe(DEFAULT_RUNBOOK_BASE_URL);
    expect(runbookBaseUrl('http://runbooks.internal:8080/kl//')).toBe('http://runbooks.internal:8080/kl');
  });

  it.each(['docs/runbooks', '/runbooks', 'ftp://host/runbooks', 'https://host/r?x=secret-q', 'https://host/r#frag', 'https://user:secret-pw@host/r', 'not a url'])(
    'refuses the base %j without repeating it',
    (base) => {
      let message = '';
      try {
        runbookBaseUrl(base);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/^RUNBOOK_BASE_URL must be an absolute http\(s\) URL/);
      expect(message).not.toContain('secret');
      expect(message).not.toContain(base);
    },
  );

  it('refuses a rule whose runbook_url is not a docs/runbooks page, so no relative link can ship', () => {
    const bad = source.replace('runbook_url: docs/runbooks/KeyledgerDown.md', 'runbook_url: ../elsewhere.md');
    expect(() => renderRunbookUrls(bad, DEFAULT_RUNBOOK_BASE_URL)).toThrow('is not a docs/runbooks/<page>.md path');
  });

  it('keeps the committed rendered copy (what Prometheus loads) in step with the source', () => {
    expect(readFileSync(RENDERED_RULES, 'utf8')).toBe(renderRules(source, DEFAULT_RUNBOOK_BASE_URL));
  });
});

describe('duration scaling for drills', () => {
  it('reads and writes Prometheus durations', () => {
    expect(durationMs('5m')).toBe(300_000);
    expect(durationMs('1h30m')).toBe(5_400_000);
    expect(durationMs('250ms')).toBe(250);
    expect(() => durationMs('5 minutes')).toThrow('not a Prometheus duration');
    expect(formatDuration(10_000)).toBe('10s');
    expect(formatDuration(1500)).toBe('1500ms');
    expect(formatDuration(0)).toBe('0s');
  });

  it('scales range selectors, subqueries and offsets, leaving numbers and label matchers alone', () => {
    const expr = 'sum(rate(kms_errors_total{code!="SIGNING_FROZEN"}[5m])) / sum(rate(x[5m] offset 1h)) > 0.01 and max_over_time(y[10m:1m]) > 90 * 86400';
    expect(scalePromQLDurations(expr, 30)).toBe(
      'sum(rate(kms_errors_total{code!="SIGNING_FROZEN"}[10s])) / sum(rate(x[10s] offset 120s)) > 0.01 and max_over_time(y[20s:2s]) > 90 * 86400',
    );
  });

  it('divides every for: and every range of the shipped rules, keeping thresholds and annotations', () => {
    const scaled = rulesOf(scaleRuleDurations(source, 30));
    const original = rulesOf(source);
    expect(scaled.map((r) => r.alert)).toEqual(original.map((r) => r.alert));
    const byName = new Map(scaled.map((r) => [r.alert, r]));
    expect(byName.get('KMSCircuitBreakerOpen')).toMatchObject({ for: '10s', expr: 'max by (name) (max_over_time(circuit_breaker_state[2s])) > 0' });
    expect(byName.get('KMSOperationFailures')?.for).toBe('10s');
    expect(byName.get('KMSOperationFailures')?.expr).toContain('[10s]');
    expect(byName.get('KMSHighAPIUsage')).toMatchObject({ for: '720s' });
    expect(byName.get('KMSHighAPIUsage')?.expr).toContain('[120s]');
    for (const [i, rule] of original.entries()) {
      expect(durationMs(scaled[i].for ?? '0s') * 30).toBe(durationMs(rule.for ?? '0s'));
      expect(scaled[i].annotations).toEqual(rule.annotations);
      expect(scaled[i].expr.replace(/\[[^\]]*\]/g, '[]')).toBe(rule.expr.replace(/\[[^\]]*\]/g, '[]'));
    }
  });

  it('refuses a factor below 1', () => {
    expect(() => scaleRuleDurations(source, 0.5)).toThrow('at least 1');
  });
});

describeWith([promtool], 'rendered and scaled rules under promtool', () => {
  it('are valid rule files', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'keyledger-rules-'));
    try {
      const scaled = path.join(dir, 'scaled.yml');
      writeFileSync(scaled, scaleRuleDurations(renderRules(source, DEFAULT_RUNBOOK_BASE_URL), 30));
      const out = execFileSync('promtool', ['check', 'rules', RENDERED_RULES, scaled], { encoding: 'utf8' });
      expect(out.match(/SUCCESS: 10 rules found/g)).toHaveLength(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
