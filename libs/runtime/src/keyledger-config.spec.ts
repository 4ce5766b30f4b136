import { ConfigError, loadConfig } from './index';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return [...e.problems];
    throw e;
  }
  throw new Error('expected loadConfig to throw');
}

describe('loadConfig', () => {
  it('uses the embedded development defaults when nothing is set', () => {
    expect(loadConfig({})).toEqual({
      nodeEnv: 'development',
      port: 8080,
      host: '127.0.0.1',
      dataDir: './data',
      kmsProvider: 'local',
      eventStore: 'embedded',
      requireKms: false,
      logLevel: 'info',
      viewsFile: 'data/keyledger-views.sqlite',
      viewsCacheSize: 10_000,
      viewsMaxLagEvents: 10_000,
      breakGlassRequestTtlMinutes: 60,
      breakGlassOutageLeaseSeconds: 60,
    });
  });

  it('keeps the read-model file in the data directory unless VIEWS_FILE names another', () => {
    expect(loadConfig({ KEYLEDGER_DATA_DIR: '/srv/kl' }).viewsFile).toBe('/srv/kl/keyledger-views.sqlite');
    expect(loadConfig({ KEYLEDGER_DATA_DIR: '/srv/kl', VIEWS_FILE: '/var/local/views.sqlite' }).viewsFile).toBe('/var/local/views.sqlite');
    expect(() => loadConfig({ VIEWS_MAX_LAG_EVENTS: '0' })).toThrow(/VIEWS_MAX_LAG_EVENTS/);
  });

  it('reads the break-glass request ttl and outage lease, refusing values out of range', () => {
    expect(loadConfig({ BREAKGLASS_REQUEST_TTL_MINUTES: '15', BREAKGLASS_OUTAGE_LEASE_SECONDS: '30' })).toMatchObject({ breakGlassRequestTtlMinutes: 15, breakGlassOutageLeaseSeconds: 30 });
    expect(() => loadConfig({ BREAKGLASS_REQUEST_TTL_MINUTES: '0' })).toThrow(/BREAKGLASS_REQUEST_TTL_MINUTES/);
    expect(() => loadConfig({ BREAKGLASS_OUTAGE_LEASE_SECONDS: '2' })).toThrow(/BREAKGLASS_OUTAGE_LEASE_SECONDS/);
  });

  it('requires a real KMS by default in production', () => {
    expect(loadConfig({ NODE_ENV: 'production' }).requireKms).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production', REQUIRE_KMS: 'false' }).requireKms).toBe(false);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PORT: '' }).port).toBe(8080);
  });

  it('reads explicit values', () => {
    const c = loadConfig({ PORT: '9090', HOST: '0.0.0.0', KMS_PROVIDER: 'pkcs11', EVENTSTORE: 'esdb', REQUIRE_KMS: 'true' });
    expect(c).toMatchObject({ port: 9090, host: '0.0.0.0', kmsProvider: 'pkcs11', eventStore: 'esdb', requireKms: true });
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT="eighty" is not a number; expected a TCP port 1-65535, e.g. PORT=8080'],
    [{ PORT: '70000' }, 'PORT="70000" is above 65535; expected a TCP port 1-65535, e.g. PORT=8080'],
    [{ PORT: '80.5' }, 'PORT="80.5" is not a whole number; expected a TCP port 1-65535, e.g. PORT=8080'],
    [{ KMS_PROVIDER: 'vault' }, 'KMS_PROVIDER="vault" is not one of local, aws, pkcs11; expected one of local, aws, pkcs11'],
    [{ REQUIRE_KMS: 'maybe' }, 'REQUIRE_KMS="maybe" is not a boolean; expected true or false'],
    [{ NODE_ENV: 'prod' }, 'NODE_ENV="prod" is not one of development, test, production; expected one of development, test, production'],
  ])('names the variable, the problem and the expected form for %j', (env, line) => {
    expect(problemsOf(env)).toEqual([line]);
  });

  it('reports every bad variable, one line each', () => {
    const problems = problemsOf({ PORT: '0', EVENTSTORE: 'postgres' });
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^PORT="0" is below 1;/);
    expect(problems[1]).toMatch(/^EVENTSTORE="postgres" is not one of embedded, esdb;/);
    for (const p of problems) expect(p).not.toContain('\n');
  });
});
