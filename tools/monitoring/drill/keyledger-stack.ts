import { rmSync, writeFileSync } from 'node:fs';
import { freshDataDir, startApp, type AppProcess } from '../../cli/test/api-process';
import { startKmsTestServer, type KmsTestServer } from '../../kms-test-server/src';

/** Static tokens of the drill's API: an operator with every role, and the break-glass roles on separate subjects. */
export const DRILL_TOKENS = {
  admin: 'tok-drill-admin-0123456789abcdef',
  requester: 'tok-drill-requester-0123456789ab',
  security: 'tok-drill-security-0123456789abc',
  finance: 'tok-drill-finance-0123456789abcd',
} as const;

const MASTER_ALIAS = 'alias/keyledger-master';

/** The built API (and optionally the scheduler) on the AWS provider against a loopback kms-test-server. */
export interface KeyledgerStack {
  readonly kms: KmsTestServer;
  readonly api: AppProcess;
  readonly scheduler?: AppProcess;
  stop(): Promise<void>;
}

/**
 * Starts kms-test-server in this process (so a test flips its faults directly) and the compiled API
 * as a child process on it: a 1 s provider timeout (long enough for a loaded machine) without retries and a breaker that opens after
 * 4 calls and half-opens after 1 s, so a black-holed provider opens, half-opens and reopens the
 * breakers within seconds, as a real outage does in minutes. `env` adds or overrides settings.
 */
export async function startKeyledgerStack(options: { readonly env?: Record<string, string>; readonly scheduler?: Record<string, string> } = {}): Promise<KeyledgerStack> {
  const kms = await startKmsTestServer({ aliases: [MASTER_ALIAS] });
  const { dataDir, tokensFile } = freshDataDir('keyledger-drill-');
  writeFileSync(
    tokensFile,
    JSON.stringify([
      { token: DRILL_TOKENS.admin, subject: 'ops', roles: ['admin', 'key-admin', 'client', 'auditor'], tenants: ['*'] },
      { token: DRILL_TOKENS.requester, subject: 'oncall', roles: ['breakglass-requester'], tenants: ['*'] },
      { token: DRILL_TOKENS.security, subject: 'sec-lead', roles: ['approver-security'], tenants: ['*'] },
      { token: DRILL_TOKENS.finance, subject: 'fin-lead', roles: ['approver-finance'], tenants: ['*'] },
    ]),
  );
  const provider = {
    KMS_PROVIDER: 'aws',
    AWS_REGION: 'us-east-1',
    AWS_KMS_MASTER_KEY_ID: MASTER_ALIAS,
    AWS_KMS_ENDPOINT: kms.url,
    AWS_ACCESS_KEY_ID: 'drill',
    AWS_SECRET_ACCESS_KEY: 'drill',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    TIMEOUT_MS: '1000',
    RETRY_MAX_RETRIES: '0',
    CB_REQUEST_VOLUME_THRESHOLD: '4',
    CB_DELAY_MS: '1000',
    LOG_LEVEL: 'warn',
  };
  let api: AppProcess | undefined;
  let scheduler: AppProcess | undefined;
  try {
    api = await startApp('api', { AUTH_TOKENS_FILE: tokensFile, KMS_CACHE_WARM_COUNT: '0', ...provider, ...options.env }, 'PORT', dataDir);
    if (options.scheduler) scheduler = await startApp('rotation-scheduler', { ...provider, ...options.scheduler }, 'SCHEDULER_PORT', dataDir);
  } catch (error) {
    await api?.stop();
    await kms.close();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const started = api;
  return {
    kms,
    api: started,
    scheduler,
    async stop() {
      await scheduler?.stop();
      await started.stop();
      await kms.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A JSON call to the API with a bearer token; resolves status and parsed body (never throws on 4xx/5xx). */
export async function call(base: string, token: string, method: string, route: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${base}${route}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

/** One sample of a scrape: `name{labels} value` lines, read as numbers by series. */
export function parseScrape(text: string): Map<string, number> {
  const series = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    series.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return series;
}

export async function scrape(base: string): Promise<Map<string, number>> {
  return parseScrape(await (await fetch(`${base}/metrics`)).text());
}

/** Sum of the series of `name` whose labels include every `label="value"` given. */
export function total(series: Map<string, number>, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const [key, value] of series) {
    const brace = key.indexOf('{');
    const metric = brace < 0 ? key : key.slice(0, brace);
    if (metric !== name) continue;
    if (wanted.every((w) => key.includes(w))) sum += value;
  }
  return sum;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

