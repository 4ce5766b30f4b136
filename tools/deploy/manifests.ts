import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

/** Readers for the deployment assets under tools/deploy, shared by its specs. */

export const ROOT = path.resolve(__dirname, '../..');
export const DEPLOY = __dirname;
export const COMPOSE_DIR = path.join(DEPLOY, 'compose');
export const K8S_DIR = path.join(DEPLOY, 'kubernetes');

export type Env = Record<string, string>;

export interface ComposeService {
  image?: string;
  command?: string[];
  environment?: Record<string, string | number | boolean> | string[];
  expose?: (string | number)[];
  ports?: string[];
  volumes?: string[];
  secrets?: string[];
  hostname?: string;
  healthcheck?: { test: string[] };
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  secrets?: Record<string, { file: string }>;
}

export function readYaml<T>(file: string): T {
  return parse(readFileSync(file, 'utf8'), { merge: true }) as T;
}

export function readCompose(): ComposeFile {
  return readYaml<ComposeFile>(path.join(COMPOSE_DIR, 'compose.yaml'));
}

/** A compose service's environment as strings, whether written as a map or a list. */
export function composeEnv(service: ComposeService): Env {
  const env = service.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(env.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
  }
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)]));
}

/** Which keyledger app a command starts, from the compiled entry point it names. */
export function appOf(command: readonly string[] | undefined): 'api' | 'scheduler' | undefined {
  const line = (command ?? []).join(' ');
  if (line.includes('dist/apps/api/apps/api/src/main.js')) return 'api';
  if (line.includes('dist/apps/rotation-scheduler/apps/rotation-scheduler/src/main.js')) return 'scheduler';
  return undefined;
}

// ---- Kubernetes ----

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  data?: Record<string, string>;
  spec?: Record<string, unknown>;
}

export interface Probe {
  httpGet?: { path: string; port: string | number };
  timeoutSeconds?: number;
  periodSeconds?: number;
}

export interface EnvEntry {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string }; configMapKeyRef?: { name: string; key: string } };
}

export interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  ports?: { name?: string; containerPort: number }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  env?: EnvEntry[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  volumeMounts?: { name: string; mountPath: string }[];
}

export interface PodSpec {
  containers: Container[];
  volumes?: { name: string; secret?: { secretName: string; items?: { key: string; path: string }[] } }[];
  restartPolicy?: string;
  serviceAccountName?: string;
}

/** Every object in every manifest file of tools/deploy/kubernetes (kustomization excluded). */
export function readK8s(): K8sObject[] {
  return readdirSync(K8S_DIR)
    .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
    .flatMap((f) => parseAllDocuments(readFileSync(path.join(K8S_DIR, f), 'utf8')).map((d) => d.toJSON() as K8sObject));
}

export function findObject(objects: readonly K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in tools/deploy/kubernetes`);
  return found;
}

/** The pod template of a Deployment or a CronJob. */
export function podSpecOf(object: K8sObject): PodSpec {
  type Template = { template: { spec: PodSpec } };
  if (object.kind === 'CronJob') return (object.spec as { jobTemplate: { spec: Template } }).jobTemplate.spec.template.spec;
  return (object.spec as Template).template.spec;
}

/** A reference to a Secret's key, found in a container's environment. */
export interface SecretRef {
  readonly variable: string;
  readonly secret: string;
  readonly key: string;
}

/**
 * The environment a container starts with: its ConfigMaps' data, then its literal values. A value
 * from a Secret is a placeholder (the value is not in the repository) and is listed in `secrets`.
 */
export function containerEnv(container: Container, objects: readonly K8sObject[]): { env: Env; secrets: SecretRef[]; literals: string[] } {
  const env: Env = {};
  const secrets: SecretRef[] = [];
  const literals: string[] = [];
  for (const source of container.envFrom ?? []) {
    if (source.configMapRef) Object.assign(env, findObject(objects, 'ConfigMap', source.configMapRef.name).data ?? {});
    if (source.secretRef) throw new Error(`${container.name}: envFrom secretRef hides which variables are secret; use secretKeyRef`);
  }
  for (const entry of container.env ?? []) {
    const ref = entry.valueFrom?.secretKeyRef;
    if (ref) {
      env[entry.name] = `secret:${ref.name}/${ref.key}`;
      secrets.push({ variable: entry.name, secret: ref.name, key: ref.key });
    } else if (entry.value !== undefined) {
      env[entry.name] = entry.value;
      literals.push(entry.name);
    }
  }
  return { env, secrets, literals };
}

/** The container port a probe or Service names (by port name or number). */
export function resolvePort(container: Container, port: string | number): number | undefined {
  if (typeof port === 'number') return port;
  return container.ports?.find((p) => p.name === port)?.containerPort;
}
