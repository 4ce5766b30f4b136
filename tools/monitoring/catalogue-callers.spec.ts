import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { Registry } from 'prom-client';
import { KmsMetrics, metricCatalogue, registerCatalogue } from '@keyledger/observability';

const ROOT = path.resolve(__dirname, '../..');

/**
 * Sample arguments for every public recorder method of `KmsMetrics`. A method added without a row
 * here fails the first test, so the mapping below cannot silently miss one.
 */
const SAMPLE_CALLS: Readonly<Record<string, (m: KmsMetrics) => unknown>> = {
  // Call sites pass the key type as a value, so the sample covers each.
  retrieval: (m) => (['signing', 'public', 'encryption'] as const).forEach((t) => m.retrieval(t, 0.001)),
  cacheHit: (m) => m.cacheHit('public'),
  cacheMiss: (m) => m.cacheMiss('public'),
  cacheSize: (m) => m.cacheSize(3),
  cacheEvicted: (m) => m.cacheEvicted(2),
  error: (m) => m.error('sign', 'KEY_DISABLED', 'acme'),
  providerRequest: (m) => m.providerRequest('aws', 'decrypt', 'success', 0.01),
  operation: (m) => m.operation('sign', 'success'),
  breakerState: (m) => m.breakerState('kms-signing-key', 'open'),
  breakerTransition: (m) => m.breakerTransition('kms-signing-key', 'open'),
  rotationCompleted: (m) => m.rotationCompleted(1_700_000_000),
  keysRotationOverdue: (m) => m.keysRotationOverdue(4),
  rotationOutcome: (m) => m.rotationOutcome('rotated'),
  rotationRunDuration: (m) => m.rotationRunDuration(1.5),
  signingFrozen: (m) => m.signingFrozen(true),
  breakglassSessionsActive: (m) => m.breakglassSessionsActive(1),
  breakglassSignature: (m) => m.breakglassSignature(),
  witnessConfigured: (m) => m.witnessConfigured('witness.example/w1'),
  witnessResult: (m) => m.witnessResult('witness.example/w1', 'unreachable'),
  eventstoreAppend: (m) => m.eventstoreAppend('embedded', 0.002),
  projectionLag: (m) => m.projectionLag('key-status', 7),
  sampleAtScrape: (m) => m.sampleAtScrape({ projectionLag: async () => ({ 'key-status': 9 }), signingFrozen: () => true }),
};

function recorderMethods(): string[] {
  return Object.getOwnPropertyNames(KmsMetrics.prototype).filter((name) => name !== 'constructor' && !name.startsWith('retrievalMetrics'));
}

/** Values per metric name after the recorder was built (the constructor pre-creates some series at 0). */
async function snapshot(registry: Registry): Promise<Map<string, string>> {
  const metrics = await registry.getMetricsAsJSON();
  return new Map(metrics.map((m) => [m.name, JSON.stringify(m.values)]));
}

/** Which catalogue metrics each recorder method moves: call it on a fresh registry and compare. */
async function metricsMovedBy(method: string): Promise<string[]> {
  const registry = new Registry();
  const recorder = new KmsMetrics(registerCatalogue(registry));
  const before = await snapshot(registry);
  SAMPLE_CALLS[method](recorder);
  const after = await snapshot(registry);
  return [...after.entries()].filter(([name, values]) => before.get(name) !== values).map(([name]) => name);
}

function productionSources(): string[] {
  const files: string[] = [];
  for (const top of ['apps', 'libs']) {
    for (const file of readdirSync(path.join(ROOT, top), { recursive: true, encoding: 'utf8' })) {
      const rel = path.join(top, file);
      if (!rel.endsWith('.ts') || rel.endsWith('.spec.ts') || /(^|\/)(test|testing)\//.test(rel)) continue;
      // The recorder itself and the forwarding shim do not count as callers.
      if (rel.startsWith('libs/observability/src/metrics/') || rel === 'libs/key-operations/src/deps.ts') continue;
      files.push(rel);
    }
  }
  return files;
}

/** `file:line` of calls of the method on a telemetry/metrics/recorder receiver in production code. */
function callSites(method: string, files: readonly string[]): string[] {
  const call = new RegExp(`\\b(?:telemetry|recorder|metrics)\\??\\.${method}\\(`);
  const sites: string[] = [];
  for (const file of files) {
    readFileSync(path.join(ROOT, file), 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (call.test(line)) sites.push(`${file}:${i + 1}`);
      });
  }
  return sites;
}

describe('every catalogue metric has a production caller', () => {
  it('knows a sample call for every recorder method', () => {
    expect(recorderMethods().filter((m) => !(m in SAMPLE_CALLS))).toEqual([]);
  });

  it('finds, for each catalogue metric, a recorder method that moves it and a call of that method outside tests', async () => {
    const files = productionSources();
    const moved = new Map<string, string[]>();
    for (const method of recorderMethods()) {
      const sites = callSites(method, files);
      if (sites.length === 0) continue;
      for (const name of await metricsMovedBy(method)) moved.set(name, [...(moved.get(name) ?? []), ...sites.map((s) => `${method} @ ${s}`)]);
    }
    const report = Object.values(metricCatalogue()).map((d) => ({ metric: d.name, recorded: (moved.get(d.name) ?? []).length > 0 }));
    expect(report.filter((r) => !r.recorded)).toEqual([]);
    // Print the map of call sites once, for the issue's resolution notes.
    process.stdout.write(`${[...moved.entries()].map(([name, sites]) => `${name}: ${sites.join(', ')}`).join('\n')}\n`);
  });

  it('can fail: a metric whose only recorder method has no caller is reported', async () => {
    expect(callSites('noSuchRecorderMethod', productionSources())).toEqual([]);
    expect(await metricsMovedBy('breakglassSignature')).toEqual(['breakglass_signatures_total']);
  });
});
