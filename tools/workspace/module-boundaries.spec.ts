import * as path from 'node:path';
import { execFileSync } from 'node:child_process';

// Lints probe sources as if they sat in a project, with the workspace's real ESLint config,
// so a weakened dependency rule fails here and not only in review.
const workspaceRoot = path.resolve(__dirname, '../..');

interface Probe {
  filePath: string;
  imports: string[];
}

const probes: Record<string, Probe> = {};
const results: Record<string, string[]> = {};

function probe(name: string, filePath: string, imports: string[]): void {
  probes[name] = { filePath, imports };
}

const DOMAIN_BANNED = ['@nestjs/common', '@aws-sdk/client-kms', '@eventstore/db-client', 'better-sqlite3', 'pkcs11js'];
const DOMAIN_HIGHER_LIBS = ['adapters', 'resilience', 'observability'];
const MIDDLE_LIBS = ['adapters', 'resilience', 'observability'];
for (const spec of DOMAIN_BANNED) probe(`domain->${spec}`, 'libs/kms-domain/src/probe.ts', [spec]);
for (const lib of DOMAIN_HIGHER_LIBS) probe(`domain->${lib}`, 'libs/kms-domain/src/probe.ts', [`@keyledger/${lib}`]);
for (const lib of MIDDLE_LIBS) {
  probe(`${lib}->domain`, `libs/${lib}/src/probe.ts`, ['@keyledger/kms-domain']);
  const sibling = lib === 'adapters' ? 'resilience' : 'adapters';
  probe(`${lib}->sibling`, `libs/${lib}/src/probe.ts`, [`@keyledger/${sibling}`]);
}
probe('tooling->libs', 'tools/bench/probe.ts', ['kms-domain', 'adapters', 'resilience', 'observability', 'runtime', 'audit'].map((l) => `@keyledger/${l}`));
probe('application->adapters', 'libs/key-operations/src/probe.ts', ['@keyledger/adapters']);
probe('lib->app', 'libs/resilience/src/probe.ts', ['../../../apps/api/src/app.module']);
probe('app->libs', 'apps/api/src/probe.ts', ['kms-domain', 'adapters', 'resilience', 'observability', 'runtime'].map((l) => `@keyledger/${l}`));

beforeAll(() => {
  const names = Object.keys(probes);
  const input = names.map((n) => ({
    filePath: probes[n].filePath,
    source: probes[n].imports.map((i) => `import '${i}';`).join('\n') + '\nexport {};\n',
  }));
  const stdout = execFileSync(process.execPath, [path.join(__dirname, 'lint-probes.mjs')], {
    cwd: workspaceRoot,
    input: JSON.stringify(input),
    encoding: 'utf8',
  });
  const messages = JSON.parse(stdout) as { ruleId: string | null; message: string }[][];
  names.forEach((n, i) => {
    results[n] = messages[i].filter((m) => m.ruleId === '@nx/enforce-module-boundaries').map((m) => m.message);
  });
}, 120_000);

describe('module boundaries', () => {
  it.each(DOMAIN_BANNED)('kms-domain may not import the package %s', (spec) => {
    expect(results[`domain->${spec}`]).toEqual([`A project tagged with "type:domain" is not allowed to import "${spec}"`]);
  });

  it.each(DOMAIN_HIGHER_LIBS)('kms-domain may not import the higher layer %s', (lib) => {
    // Refused by the tag rule; once the lib imports the domain, also as a circular dependency.
    const refusals = results[`domain->${lib}`];
    expect(refusals.length).toBeGreaterThan(0);
    for (const message of refusals) {
      expect(message).toMatch(/A project tagged with "type:domain" can only depend on libs tagged with "type:domain"|Circular dependency/);
    }
  });

  it.each(MIDDLE_LIBS)('%s may import the domain but not a sibling lib', (lib) => {
    expect(results[`${lib}->domain`]).toEqual([]);
    expect(results[`${lib}->sibling`]).toHaveLength(1);
  });

  it('tooling may import the libs', () => {
    expect(results['tooling->libs']).toEqual([]);
  });

  it('application use cases reach adapters only through the domain ports', () => {
    expect(results['application->adapters']).toHaveLength(1);
  });

  it('a lib may not import an app', () => {
    expect(results['lib->app'].length).toBeGreaterThan(0);
  });

  it('an app may import every lib', () => {
    expect(results['app->libs']).toEqual([]);
  });
});
