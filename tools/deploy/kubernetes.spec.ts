import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { checkKeyledgerEnv, undocumentedVariables } from './config-check';
import { K8S_DIR, appOf, containerEnv, findObject, podSpecOf, readK8s, readYaml, resolvePort, type K8sObject } from './manifests';

const objects = readK8s();
const cronJob = findObject(objects, 'CronJob', 'keyledger-scheduler-once');
const apiDeployment = findObject(objects, 'Deployment', 'keyledger-api');
const schedulerDeployment = findObject(objects, 'Deployment', 'keyledger-scheduler');
const workloads = [apiDeployment, schedulerDeployment, cronJob];
const container = (o: K8sObject) => podSpecOf(o).containers[0];

/** Looks like a secret by its name: must never be a literal in a manifest. */
const SECRET_NAME = /PIN|PASSWORD|SECRET|TOKEN$|CONNECTION_STRING|ACCESS_KEY/;

describe('kubernetes manifests', () => {
  it('are well-formed objects in the keyledger namespace, and the kustomization lists existing files', () => {
    for (const o of objects) {
      expect(o.apiVersion).toMatch(/\w/);
      expect(o.metadata.name).toMatch(/^[a-z0-9-]+$/);
      if (o.kind !== 'Namespace') expect(o.metadata.namespace).toBe('keyledger');
    }
    const kustomization = readYaml<{ resources: string[] }>(path.join(K8S_DIR, 'kustomization.yaml'));
    for (const file of kustomization.resources) expect(existsSync(path.join(K8S_DIR, file))).toBe(true);
    // One scheduler flavour at a time: the CronJob is the documented alternative, not an addition.
    expect(kustomization.resources).toContain('scheduler.yaml');
    expect(kustomization.resources).not.toContain('scheduler-cronjob.yaml');
  });

  it.each(workloads.map((o) => [`${o.kind} ${o.metadata.name}`, o] as const))('%s starts with a valid production configuration', (_n, o) => {
    const { env } = containerEnv(container(o), objects);
    expect(checkKeyledgerEnv(env).problems).toEqual([]);
    expect(undocumentedVariables(Object.keys(env))).toEqual([]);
  });

  it.each(workloads.map((o) => [`${o.kind} ${o.metadata.name}`, o] as const))('%s takes secrets from Secrets and AWS credentials from its service account', (_n, o) => {
    const { env, literals } = containerEnv(container(o), objects);
    const configMapNames = Object.keys(env).filter((n) => !literals.includes(n) && !env[n].startsWith('secret:'));
    for (const name of [...literals, ...configMapNames]) expect(name).not.toMatch(SECRET_NAME);
    expect(env['EVENTSTORE_CONNECTION_STRING']).toMatch(/^secret:/);
    expect(env['AWS_ACCESS_KEY_ID']).toBeUndefined();
    expect(podSpecOf(o).serviceAccountName).toBe('keyledger');
  });

  it('probes the API: readiness on /health/ready and liveness on /health/live, both on PORT', () => {
    const c = container(apiDeployment);
    const port = checkKeyledgerEnv(containerEnv(c, objects).env).config?.port;
    expect(c.readinessProbe?.httpGet?.path).toBe('/health/ready');
    expect(c.livenessProbe?.httpGet?.path).toBe('/health/live');
    for (const probe of [c.readinessProbe, c.livenessProbe, c.startupProbe]) {
      expect(resolvePort(c, probe?.httpGet?.port ?? -1)).toBe(port);
    }
    // /health/ready caches probe results 5 s and times a probe out after 3 s: the kubelet must wait longer.
    expect(c.readinessProbe?.timeoutSeconds ?? 1).toBeGreaterThan(3);
  });

  it('runs at least two API replicas behind a Service that targets the API port', () => {
    expect((apiDeployment.spec as { replicas: number }).replicas).toBeGreaterThanOrEqual(2);
    const service = findObject(objects, 'Service', 'keyledger-api');
    const { selector, ports } = service.spec as { selector: Record<string, string>; ports: { targetPort: string }[] };
    const labels = (apiDeployment.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels;
    expect(labels).toMatchObject(selector);
    const c = container(apiDeployment);
    expect(resolvePort(c, ports[0].targetPort)).toBe(checkKeyledgerEnv(containerEnv(c, objects).env).config?.port);
  });

  it('mounts the API token file from a Secret at AUTH_TOKENS_FILE', () => {
    const c = container(apiDeployment);
    const file = containerEnv(c, objects).env['AUTH_TOKENS_FILE'];
    const mount = c.volumeMounts?.find((m) => file.startsWith(`${m.mountPath}/`));
    const volume = podSpecOf(apiDeployment).volumes?.find((v) => v.name === mount?.name);
    expect(volume?.secret?.secretName).toBe('keyledger-auth-tokens');
    expect(volume?.secret?.items?.map((i) => `${mount?.mountPath}/${i.path}`)).toContain(file);
  });

  it('probes the scheduler Deployment on /health/live at SCHEDULER_PORT', () => {
    const c = container(schedulerDeployment);
    const port = Number(containerEnv(c, objects).env['SCHEDULER_PORT']);
    expect(c.livenessProbe?.httpGet?.path).toBe('/health/live');
    expect(resolvePort(c, c.livenessProbe?.httpGet?.port ?? -1)).toBe(port);
    expect(c.readinessProbe).toBeUndefined();
  });

  it('offers a CronJob running the scheduler once, never two runs at a time', () => {
    const c = container(cronJob);
    expect(appOf(c.command)).toBe('scheduler');
    expect(c.command).toEqual(container(schedulerDeployment).command);
    expect(c.args).toEqual(['--once']);
    expect((cronJob.spec as { concurrencyPolicy: string }).concurrencyPolicy).toBe('Forbid');
    expect(['Never', 'OnFailure']).toContain(podSpecOf(cronJob).restartPolicy);
    expect(containerEnv(c, objects).env).toEqual(containerEnv(container(schedulerDeployment), objects).env);
  });

  it('runs the same image and entry points as compose', () => {
    expect(appOf(container(apiDeployment).command)).toBe('api');
    expect(appOf(container(schedulerDeployment).command)).toBe('scheduler');
    expect(new Set(workloads.map((o) => container(o).image)).size).toBe(1);
  });
});

describe('configuration checks', () => {
  it('report a bad or unsafe environment', () => {
    const { env } = containerEnv(container(apiDeployment), objects);
    expect(checkKeyledgerEnv({ ...env, KMS_PROVIDER: 'vault' }).problems.join('\n')).toMatch(/KMS_PROVIDER="vault"/);
    expect(checkKeyledgerEnv({ ...env, KMS_PROVIDER: 'local' }).problems).toEqual(['KMS_PROVIDER=local is the development provider']);
    expect(checkKeyledgerEnv({ ...env, HOST: '127.0.0.1' }).problems).toEqual(['HOST=127.0.0.1 is unreachable from probes and other containers']);
    expect(checkKeyledgerEnv({ ...env, CB_KMS_SIGNING_KEY_FAILURE_RATIO: '2' }).problems.join('\n')).toMatch(/CB_KMS_SIGNING_KEY_FAILURE_RATIO/);
    expect(checkKeyledgerEnv({ ...env, SCHEDULER_PORT: '0' }).problems.join('\n')).toMatch(/SCHEDULER_PORT/);
  });

  it('find variables no page documents, and accept documented patterns', () => {
    expect(undocumentedVariables(['KMS_CACHE_SIZE_TYPO', 'KEYLEDGER_DATA_DIR', 'CB_KMS_PUBLIC_KEY_DELAY_MS', 'AWS_KMS_ENDPOINT'])).toEqual(['KMS_CACHE_SIZE_TYPO']);
  });
});
