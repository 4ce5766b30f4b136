import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { checkKeyledgerEnv, esdbHosts, undocumentedVariables } from './config-check';
import { COMPOSE_DIR, DEPLOY, appOf, composeEnv, readCompose, readYaml, type ComposeService } from './manifests';

const compose = readCompose();
const services = Object.entries(compose.services);
const byApp = (app: 'api' | 'scheduler') => services.filter(([, s]) => appOf(s.command) === app);
const keyledger = [...byApp('api'), ...byApp('scheduler')];
const esdbNodes = services.filter(([, s]) => (s.image ?? '').startsWith('eventstore/eventstore:'));

/** Host paths of a service's bind mounts, resolved from the compose directory, by container path. */
function bindMounts(service: ComposeService): Map<string, string> {
  const mounts = new Map<string, string>();
  for (const v of service.volumes ?? []) {
    const [source, target] = v.split(':');
    if (source.startsWith('.')) mounts.set(target, path.resolve(COMPOSE_DIR, source));
  }
  return mounts;
}

function healthcheckLine(service: ComposeService): string {
  return (service.healthcheck?.test ?? []).join(' ');
}

describe('compose: EventStoreDB cluster', () => {
  it('runs three nodes configured as one cluster of three', () => {
    expect(esdbNodes.map(([name]) => name).sort()).toEqual(['esdb1', 'esdb2', 'esdb3']);
    for (const [, node] of esdbNodes) expect(composeEnv(node)['EVENTSTORE_CLUSTER_SIZE']).toBe('3');
  });

  it('gives each node the other two as gossip seeds and its own TLS certificate', () => {
    for (const [name, node] of esdbNodes) {
      const env = composeEnv(node);
      const others = esdbNodes.map(([n]) => n).filter((n) => n !== name);
      expect(env['EVENTSTORE_GOSSIP_SEED'].split(',').sort()).toEqual(others.map((n) => `${n}:2113`));
      expect(env['EVENTSTORE_CERTIFICATE_FILE']).toBe(`/certs/${name}/node.crt`);
      expect(env['EVENTSTORE_INSECURE']).toBeUndefined();
    }
  });

  it('is what every keyledger container connects to, over TLS', () => {
    for (const [name, service] of keyledger) {
      const connection = composeEnv(service)['EVENTSTORE_CONNECTION_STRING'] ?? '';
      expect({ name, hosts: esdbHosts(connection).sort() }).toEqual({ name, hosts: ['esdb1:2113', 'esdb2:2113', 'esdb3:2113'] });
      expect(connection).toContain('tls=true');
    }
  });
});

describe('compose: keyledger containers', () => {
  it('runs two API replicas and one scheduler from the same image', () => {
    expect(byApp('api')).toHaveLength(2);
    expect(byApp('scheduler')).toHaveLength(1);
    expect(new Set(keyledger.map(([, s]) => s.image)).size).toBe(1);
  });

  it.each(keyledger.map(([name, s]) => [name, s] as const))('%s starts with a valid production configuration', (_name, service) => {
    expect(checkKeyledgerEnv(composeEnv(service)).problems).toEqual([]);
  });

  it.each(byApp('api'))('%s exposes PORT and its healthcheck asks /health/ready there', (_name, service) => {
    const { config } = checkKeyledgerEnv(composeEnv(service));
    expect((service.expose ?? []).map(String)).toContain(String(config?.port));
    expect(healthcheckLine(service)).toContain(`:${config?.port}/health/ready`);
  });

  it.each(byApp('scheduler'))('%s exposes SCHEDULER_PORT and its healthcheck asks /health/live there', (_name, service) => {
    const port = composeEnv(service)['SCHEDULER_PORT'];
    expect((service.expose ?? []).map(String)).toContain(port);
    expect(healthcheckLine(service)).toContain(`:${port}/health/live`);
  });

  it('publishes each container on its own loopback host port', () => {
    const published = keyledger.flatMap(([, s]) => s.ports ?? []);
    for (const p of published) expect(p.startsWith('127.0.0.1:')).toBe(true);
    expect(new Set(published.map((p) => p.split(':')[1])).size).toBe(published.length);
  });

  it('gives the API its token file as a compose secret', () => {
    for (const [, service] of byApp('api')) {
      const file = composeEnv(service)['AUTH_TOKENS_FILE'];
      const secret = file.replace('/run/secrets/', '');
      expect(service.secrets).toContain(secret);
      expect(compose.secrets?.[secret]).toBeDefined();
    }
  });

  it('uses only documented variables', () => {
    const names = new Set(keyledger.flatMap(([, s]) => Object.keys(composeEnv(s))));
    expect(undocumentedVariables(names)).toEqual([]);
  });
});

describe('compose: Prometheus and Grafana', () => {
  const prometheus = compose.services['prometheus'];
  const mounts = bindMounts(prometheus);
  const config = readYaml<{ rule_files: string[]; scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[] }>(
    mounts.get('/etc/prometheus/prometheus.yml') ?? '',
  );

  it('mounts keyledger alert rules where prometheus.yml loads them', () => {
    const rules = [...mounts.entries()].filter(([target]) => target.startsWith('/etc/prometheus/rules/'));
    expect(rules.map(([, source]) => path.relative(DEPLOY, source))).toEqual([path.join('..', 'monitoring', 'prometheus', 'rendered', 'keyledger-alerts.yml')]);
    for (const [, source] of rules) expect(existsSync(source)).toBe(true);
    expect(config.rule_files).toEqual(['/etc/prometheus/rules/*.yml']);
  });

  it('scrapes every API replica on PORT and the scheduler on SCHEDULER_PORT, in keyledger-* jobs', () => {
    const targets = (job: string) => config.scrape_configs.find((c) => c.job_name === job)?.static_configs.flatMap((s) => s.targets).sort();
    const api = byApp('api').map(([name, s]) => `${name}:${checkKeyledgerEnv(composeEnv(s)).config?.port}`);
    const scheduler = byApp('scheduler').map(([name, s]) => `${name}:${composeEnv(s)['SCHEDULER_PORT']}`);
    expect(targets('keyledger-api')).toEqual(api.sort());
    expect(targets('keyledger-scheduler')).toEqual(scheduler.sort());
    for (const c of config.scrape_configs) expect(c.job_name).toMatch(/^keyledger-/);
  });

  it('provisions Grafana with the Prometheus data source and the keyledger dashboard', () => {
    const grafanaMounts = bindMounts(compose.services['grafana']);
    const dashboard = [...grafanaMounts.entries()].find(([target]) => target.endsWith('keyledger-dashboard.json'));
    expect(dashboard && existsSync(dashboard[1])).toBe(true);
    const provisioning = grafanaMounts.get('/etc/grafana/provisioning') ?? '';
    const providers = readYaml<{ providers: { options: { path: string } }[] }>(path.join(provisioning, 'dashboards', 'keyledger.yaml'));
    expect(dashboard?.[0].startsWith(`${providers.providers[0].options.path}/`)).toBe(true);
    const sources = readYaml<{ datasources: { type: string; url: string }[] }>(path.join(provisioning, 'datasources', 'prometheus.yaml'));
    expect(sources.datasources).toEqual([expect.objectContaining({ type: 'prometheus', url: 'http://prometheus:9090' })]);
  });
});
