import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { DOMAIN_ERROR_CODES, KMS_ERROR_CODES } from '@keyledger/kms-domain';
import { RESILIENCE_ERROR_CODES } from '@keyledger/resilience';
import { ConfigError } from '@keyledger/runtime';
import { apiRoutes, pathMatches } from '../docs-check/api-routes';
import { ROOT } from './manifests';

const DOCS = path.join(ROOT, 'docs');
const RUNBOOKS = path.join(DOCS, 'runbooks');
const NEW_RUNBOOKS = ['kms-provider-failure', 'circuit-breaker-open', 'key-rotation-failure', 'kms-cache-hit-rate-low', 'kms-high-latency'];
const OWN_PAGES = [
  ...NEW_RUNBOOKS.map((n) => `runbooks/${n}.md`),
  'runbooks/README.md',
  'architecture.md',
  ...['quickstart', 'aws-kms', 'pkcs11', 'eventstoredb', 'troubleshooting'].map((n) => `setup/${n}.md`),
];
const FENCES = new Set(['sh runnable', 'sh', 'json', 'yaml', 'text', 'mermaid', '']);
/** What a `sh runnable` block may call, per base URL: the API's controller routes plus what no controller declares. */
const ROUTES: Record<string, readonly string[]> = {
  KEYLEDGER_URL: [...apiRoutes(ROOT).map((r) => r.path), '/metrics', '/docs', '/docs-json'],
  SCHEDULER_URL: ['/health/live', '/health/ready', '/metrics'],
  KMS_TEST_SERVER_URL: ['/__admin/faults', '/__admin/stats', '/__admin/health'],
};

interface Block {
  readonly page: string;
  readonly info: string;
  readonly body: string;
}

function blocks(page: string): Block[] {
  const text = readFileSync(path.join(DOCS, page), 'utf8');
  return [...text.matchAll(/^( *)```([^\n`]*)\n([\s\S]*?)^ *```$/gm)].map((m) => ({
    page,
    info: m[2].trim(),
    body: m[3].replace(new RegExp(`^ {0,${m[1].length}}`, 'gm'), ''),
  }));
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
function anchors(file: string): Set<string> {
  const text = readFileSync(file, 'utf8').replace(/^```[\s\S]*?^```$/gm, '');
  const slugs = [...text.matchAll(/^#{1,6} (.+)$/gm)].map((m) =>
    m[1].trim().toLowerCase().replace(/[`*]/g, '').replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-'),
  );
  return new Set(slugs);
}

/** Every code keyledger can report: exported lists plus `readonly code = '...'` and code arrays in the libs' sources. */
function knownCodes(): Set<string> {
  const codes = new Set<string>([...DOMAIN_ERROR_CODES, ...KMS_ERROR_CODES, ...RESILIENCE_ERROR_CODES, new ConfigError([]).code]);
  const sources = ['libs/kms-domain/src/ports/event-store-errors.ts', 'libs/kms-domain/src/events/event-decode-error.ts', 'libs/key-operations/src/errors.ts', 'libs/observability/src'];
  for (const source of sources) {
    const full = path.join(ROOT, source);
    const files = full.endsWith('.ts') ? [full] : readdirSync(full, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts')).map((f) => path.join(full, f));
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/code(?: =|:) '([A-Z][A-Z0-9_]+)'/g)) codes.add(m[1]);
      for (const m of text.matchAll(/ERROR_CODES = \[([^\]]+)\]/g)) for (const c of m[1].matchAll(/'([A-Z_]+)'/g)) codes.add(c[1]);
    }
  }
  // Codes the API answers itself (the error filter's status table), e.g. UNSUPPORTED_MEDIA_TYPE.
  const filter = readFileSync(path.join(ROOT, 'apps/api/src/http/error-filter.ts'), 'utf8');
  const table = filter.slice(filter.indexOf('const STATUS'), filter.indexOf('};', filter.indexOf('const STATUS')));
  for (const m of table.matchAll(/^\s+([A-Z][A-Z0-9_]+): \d{3},/gm)) codes.add(m[1]);
  return codes;
}

describe('runbooks', () => {
  const rules = (parse(readFileSync(path.join(ROOT, 'tools/monitoring/prometheus/keyledger-alerts.yml'), 'utf8')) as {
    groups: { rules: { alert: string; annotations: { runbook_url: string } }[] }[];
  }).groups.flatMap((g) => g.rules);
  const index = readFileSync(path.join(RUNBOOKS, 'README.md'), 'utf8');

  it('exist for the incidents the seeds name', () => {
    for (const name of NEW_RUNBOOKS) expect(existsSync(path.join(RUNBOOKS, `${name}.md`))).toBe(true);
  });

  it('index every alert with a page that exists, and every alert runbook_url resolves', () => {
    for (const rule of rules) {
      expect(existsSync(path.join(ROOT, rule.annotations.runbook_url))).toBe(true);
      expect(index).toContain(`| \`${rule.alert}\` |`);
    }
  });

  it('name the alert each incident runbook answers', () => {
    const answered = NEW_RUNBOOKS.map((n) => readFileSync(path.join(RUNBOOKS, `${n}.md`), 'utf8').match(/^\*\*Alerts?:\*\* `(\w+)`/m)?.[1]);
    expect(answered.sort()).toEqual(['KMSCacheHitRateLow', 'KMSCircuitBreakerOpen', 'KMSHighLatency', 'KMSKeyRotationOverdue', 'KMSOperationFailures']);
  });
});

describe('command blocks in the operator docs', () => {
  const all = OWN_PAGES.flatMap(blocks);

  it('use only the documented fence tags', () => {
    for (const b of all) expect({ page: b.page, info: b.info, known: FENCES.has(b.info) }).toEqual({ page: b.page, info: b.info, known: true });
    expect(all.filter((b) => b.info === 'sh runnable').length).toBeGreaterThanOrEqual(40);
  });

  it('take the allowed routes from the API controllers', () => {
    const routes = apiRoutes(ROOT).map((r) => `${r.method} ${r.path}`);
    expect(routes).toEqual(expect.arrayContaining(['GET /api/admin/kms/status', 'POST /v1/keys/:keyId/rotate', 'POST /v1/break-glass', 'GET /v1/audit/events', 'GET /health/ready']));
    expect(pathMatches('/v1/keys/:keyId/rotate', '/v1/keys/$KEY_ID/rotate?x=1')).toBe(true);
    expect(pathMatches('/v1/keys/:keyId/rotate', '/v1/keys/a/b/rotate')).toBe(false);
    expect(ROUTES['KEYLEDGER_URL'].some((r) => pathMatches(r, '/api/admin/kms/nope'))).toBe(false);
  });

  it('call only routes that exist from runnable blocks, without jq', () => {
    for (const b of all.filter((x) => x.info === 'sh runnable')) {
      const urls = [...b.body.matchAll(/\$\{?(KEYLEDGER_URL|SCHEDULER_URL|KMS_TEST_SERVER_URL)\}?(\/[^"'\s)]*)/g)].map((m) => ({ base: m[1], route: m[2] }));
      for (const { base, route } of urls) {
        const built = ROUTES[base].some((template) => pathMatches(template, route));
        expect({ page: b.page, base, route, built }).toEqual({ page: b.page, base, route, built: true });
      }
      // The harness (and CI) may not have jq; blocks read JSON with node or grep.
      expect({ page: b.page, jq: /(^|[|;&(]\s*)jq\b/m.test(b.body) }).toEqual({ page: b.page, jq: false });
    }
  });

  it('parse as shell', () => {
    for (const b of all.filter((x) => x.info.startsWith('sh'))) {
      expect(() => execFileSync('bash', ['-n'], { input: b.body, stdio: ['pipe', 'pipe', 'pipe'] })).not.toThrow();
    }
  });
});

describe('links and codes in the operator docs', () => {
  it('resolve to existing files and headings', () => {
    for (const page of OWN_PAGES) {
      const file = path.join(DOCS, page);
      const text = readFileSync(file, 'utf8').replace(/^```[\s\S]*?^```$/gm, '');
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^https?:/.test(m[1])) continue;
        const [target, anchor] = m[1].split('#');
        const resolved = target ? path.resolve(path.dirname(file), target) : file;
        expect({ page, link: m[1], exists: existsSync(resolved) }).toEqual({ page, link: m[1], exists: true });
        if (anchor && resolved.endsWith('.md')) expect({ page, link: m[1], anchor: anchors(resolved).has(anchor) }).toEqual({ page, link: m[1], anchor: true });
      }
    }
  });

  it('map the seeds issues only to error codes keyledger has', () => {
    const known = knownCodes();
    const text = readFileSync(path.join(DOCS, 'setup/troubleshooting.md'), 'utf8');
    const table = text.slice(text.indexOf('## Issue → code → fix'), text.indexOf('## 1. Access denied'));
    const rows = table.split('\n').filter((l) => l.startsWith('|') && !l.startsWith('|---') && !l.startsWith('| issue'));
    expect(rows.length).toBeGreaterThanOrEqual(10);
    const codes = rows.flatMap((r) => [...(r.split('|')[2] ?? '').matchAll(/`([A-Z0-9_]+)`/g)].map((m) => m[1]));
    expect(codes.filter((c) => !known.has(c))).toEqual([]);
    expect(codes.length).toBeGreaterThan(20);
    expect(known.has('NOT_A_KEYLEDGER_CODE')).toBe(false);
  });
});
