import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { BREAKER_NAMES, resilienceEnvVariables } from '@keyledger/resilience';
import * as runtime from '@keyledger/runtime';

const ROOT = path.resolve(__dirname, '../..');
type Loader = (env: Record<string, string>) => unknown;

/** Rows of docs/configuration.md tables: every backticked variable of the first cell → the default cell. */
function documented(): Map<string, string> {
  const rows = new Map<string, string>();
  for (const line of readFileSync(path.join(ROOT, 'docs/configuration.md'), 'utf8').split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (!line.startsWith('|') || cells.length < 4) continue;
    for (const m of cells[1].matchAll(/`([A-Z][A-Z0-9_<>]*)`/g)) rows.set(m[1], cells[2]);
  }
  return rows;
}

/** The documented default: the first backticked value, or undefined for `—`, `unset`, `none`. */
function documentedDefault(cell: string): string | undefined {
  if (/^(—|-|unset|none)/i.test(cell)) return undefined;
  return /`([^`]*)`/.exec(cell)?.[1];
}

function sources(dir: string, pick: (file: string) => boolean): string[] {
  return readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts') && pick(f))
    .map((f) => path.join(dir, f));
}

/** `key: envVar('NAME'` pairs and the literal defaults `readEnv(vars, env, { key: 'v' })` gives them (a ternary's else-branch). */
function schemaVariables(file: string): { name: string; literalDefault?: string }[] {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  const defaultsBlock = /readEnv\(vars,\s*env,\s*\{([\s\S]*?)\}\)/.exec(text)?.[1] ?? '';
  const defaults = new Map([...defaultsBlock.matchAll(/(\w+):\s*(?:[^,\n]*\?\s*'[^']*'\s*:\s*)?'([^']*)'/g)].map((m) => [m[1], m[2]]));
  return [...text.matchAll(/(\w+):\s*envVar\(\s*'([A-Z][A-Z0-9_]*)'/g)].map((m) => ({ name: m[2], literalDefault: defaults.get(m[1]) }));
}

const RUNTIME_FILES = sources('libs/runtime/src', (f) => /config/.test(f));
const APP_FILES = ['apps/api/src', 'apps/rotation-scheduler/src'].flatMap((dir) => sources(dir, (f) => f.endsWith('.config.ts')));
/** Every `load...Config(env)` the runtime lib exports (the API's, the scheduler's, the shared one). */
const LOADERS: Loader[] = Object.entries(runtime)
  .filter(([name, value]) => /^load\w*Config$/.test(name) && typeof value === 'function')
  .map(([, value]) => (env) => (value as Loader)(env));
/** Read by tooling or as a debug switch, not operator configuration. */
const NOT_CONFIGURATION = new Set(['TSX_TSCONFIG_PATH', 'AUDIT_DEBUG']);

/** Variables read directly (`env['X']`, `process.env.X`) by the libs, the apps and the provider setup tools. */
function directReads(): string[] {
  const files = [
    ...['libs', 'apps'].flatMap((top) => readdirSync(path.join(ROOT, top)).flatMap((p) => sources(`${top}/${p}/src`, (f) => !/(^|\/)testing\//.test(f)))),
    ...sources('tools/deploy/pkcs11', () => true),
  ].filter((f) => !f.startsWith('libs/testing/'));
  const names = new Set<string>();
  for (const file of files) {
    const text = readFileSync(path.join(ROOT, file), 'utf8');
    for (const m of text.matchAll(/(?:env\[['"]|process\.env\.)([A-Z][A-Z0-9_]+)/g)) names.add(m[1]);
  }
  return [...names].filter((n) => !NOT_CONFIGURATION.has(n)).sort();
}

describe('docs/configuration.md', () => {
  const docs = documented();

  it('lists every variable of the runtime and app configuration schemas', () => {
    const names = [...RUNTIME_FILES, ...APP_FILES].flatMap((f) => schemaVariables(f).map((v) => v.name));
    expect(names.length).toBeGreaterThan(25);
    expect(names.filter((n) => !docs.has(n))).toEqual([]);
  });

  it('gives the runtime defaults the loaders really apply (setting the documented default changes nothing)', () => {
    const checked: string[] = [];
    for (const { name } of RUNTIME_FILES.flatMap(schemaVariables)) {
      const value = documentedDefault(docs.get(name) ?? '');
      if (value === undefined) continue;
      for (const load of LOADERS) expect({ name, config: load({ [name]: value }) }).toEqual({ name, config: load({}) });
      checked.push(name);
    }
    expect(checked).toEqual(expect.arrayContaining(['PORT', 'HOST', 'KMS_PROVIDER', 'KMS_CACHE_MAX_SIZE', 'API_BODY_LIMIT_BYTES', 'RATE_LIMIT_TENANT_RPS']));
    // The check can fail: a wrong default is caught.
    expect(LOADERS.length).toBeGreaterThanOrEqual(3);
    expect(runtime.loadConfig({ PORT: '8081' })).not.toEqual(runtime.loadConfig({}));
  });

  it('gives the apps literal defaults', () => {
    for (const { name, literalDefault } of APP_FILES.flatMap(schemaVariables)) {
      expect({ name, documented: documentedDefault(docs.get(name) ?? '') }).toEqual({ name, documented: literalDefault });
    }
  });

  it('lists every resilience variable (shared and per breaker) with its default', () => {
    for (const breaker of BREAKER_NAMES) {
      for (const v of resilienceEnvVariables(breaker)) {
        expect({ name: v.shared, documented: documentedDefault(docs.get(v.shared) ?? '') }).toEqual({ name: v.shared, documented: String(v.defaultValue) });
        const pattern = v.perBreaker.replace(breaker.toUpperCase().replace(/-/g, '_'), '<NAME>');
        expect({ name: v.perBreaker, pattern, documented: docs.has(pattern) }).toEqual({ name: v.perBreaker, pattern, documented: true });
      }
    }
  });

  it('lists the variables the code reads directly (event store, tracing, providers), each with a default cell', () => {
    const names = directReads();
    expect(names).toEqual(expect.arrayContaining(['EVENTSTORE_CONNECTION_STRING', 'OTEL_EXPORTER_OTLP_ENDPOINT', 'PKCS11_PIN']));
    expect(names.filter((n) => !docs.has(n))).toEqual([]);
    for (const name of names) expect({ name, cell: docs.get(name) }).toEqual({ name, cell: expect.stringMatching(/\S/) });
  });
});
