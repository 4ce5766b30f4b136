import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { BREAKER_NAMES, resiliencePolicyOptionsFromEnv } from '@keyledger/resilience';
import { ConfigError, booleanSchema, envVar, loadConfig, portSchema, readEnv, type KeyledgerConfig } from '@keyledger/runtime';
import { ROOT, type Env } from './manifests';

/**
 * Checks a deployment's environment for a keyledger container the way the apps read it at start:
 * the runtime configuration (loadConfig), every breaker's resilience settings, the observability
 * variables, and the rules a production deployment must keep. Returns one line per problem.
 */
export function checkKeyledgerEnv(env: Env): { config?: KeyledgerConfig; problems: string[] } {
  const problems: string[] = [];
  let config: KeyledgerConfig | undefined;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }
  for (const name of BREAKER_NAMES) {
    try {
      resiliencePolicyOptionsFromEnv(name, env);
    } catch (error) {
      problems.push(`${name}: ${(error as Error).message}`);
    }
  }
  try {
    readEnv(
      {
        schedulerPort: envVar('SCHEDULER_PORT', portSchema, 'a TCP port 1-65535'),
        tenantLabel: envVar('METRICS_TENANT_LABEL', booleanSchema, 'true or false'),
      },
      env,
    );
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }
  if (config) problems.push(...productionProblems(config, env));
  return { config, problems };
}

function productionProblems(config: KeyledgerConfig, env: Env): string[] {
  const problems: string[] = [];
  if (config.nodeEnv !== 'production') problems.push(`NODE_ENV is ${config.nodeEnv}; a deployment runs production`);
  if (!config.requireKms) problems.push('REQUIRE_KMS is false; a deployment must fail closed');
  if (config.kmsProvider === 'local') problems.push('KMS_PROVIDER=local is the development provider');
  if (['127.0.0.1', 'localhost', '::1'].includes(config.host)) problems.push(`HOST=${config.host} is unreachable from probes and other containers`);
  if (config.eventStore === 'esdb' && !env['EVENTSTORE_CONNECTION_STRING']) problems.push('EVENTSTORE=esdb without EVENTSTORE_CONNECTION_STRING');
  if (config.kmsProvider === 'aws') {
    for (const name of ['AWS_REGION', 'AWS_KMS_MASTER_KEY_ID']) if (!env[name]) problems.push(`KMS_PROVIDER=aws without ${name}`);
  }
  return problems;
}

/** Hosts of an EventStoreDB connection string (`esdb://a:2113,b:2113?tls=true`). */
export function esdbHosts(connectionString: string): string[] {
  const match = /^esdb(?:\+discover)?:\/\/(?:[^@/]*@)?([^/?]+)/.exec(connectionString);
  return match ? match[1].split(',') : [];
}

/** Prefixes whose variables must be in the configuration or provider pages (or the event store page for EVENTSTORE_*). */
export const CORE_PREFIXES = ['KEYLEDGER_', 'KMS_', 'AWS_', 'PKCS11_', 'EVENTSTORE'];
const CORE_PAGES = ['docs/configuration.md', 'docs/providers.md', 'docs/event-store.md'];
const ALL_PAGES = [...CORE_PAGES, 'docs/resilience.md', 'docs/observability.md'];

/** Read by the AWS SDK's credential chain, documented by AWS rather than by keyledger. */
export const AWS_SDK_VARIABLES = new Set(['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_ROLE_ARN', 'AWS_WEB_IDENTITY_TOKEN_FILE']);

/**
 * Variables of the API's auth (issue 8, in progress) that the deployment needs before their page
 * exists. Each must move to docs/configuration.md when the API lands; the spec lists which are still pending.
 */
export const PENDING_DOCUMENTATION = new Set(['AUTH_MODE', 'AUTH_TOKENS_FILE']);

/** Variable names a page documents; `CB_<NAME>_DELAY_MS` becomes a pattern. */
function documentedIn(pages: readonly string[]): RegExp[] {
  const names = new Set<string>();
  for (const page of pages) {
    const text = readFileSync(path.join(ROOT, page), 'utf8');
    for (const m of text.matchAll(/\b[A-Z][A-Z0-9]*(?:_(?:[A-Z0-9]+|<NAME>))*\b/g)) names.add(m[0]);
  }
  return [...names].map((n) => new RegExp(`^${n.replace(/<NAME>/g, '[A-Z0-9_]+')}$`));
}

/** Variables the environment uses that no page documents (SDK and pending names aside). */
export function undocumentedVariables(names: Iterable<string>): string[] {
  const core = documentedIn(CORE_PAGES);
  const all = documentedIn(ALL_PAGES);
  const missing: string[] = [];
  for (const name of names) {
    if (AWS_SDK_VARIABLES.has(name) || PENDING_DOCUMENTATION.has(name)) continue;
    const pages = CORE_PREFIXES.some((p) => name.startsWith(p)) ? core : all;
    if (!pages.some((re) => re.test(name))) missing.push(name);
  }
  return missing;
}
