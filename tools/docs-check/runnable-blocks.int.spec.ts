import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseFaultSettings, startKmsTestServer, type KmsTestServer } from '../kms-test-server/src';
import { ROOT, TOKENS, startApi, startApp, type AppProcess } from '../cli/test/api-process';
import { blockNeeds, faultSettings, runnableBlocks, type DocBlock } from './doc-blocks';

jest.setTimeout(180_000);

const BLOCKS = runnableBlocks(ROOT);
const MASTER_ALIAS = 'alias/keyledger-master';

/** Bash around a block: restore what earlier blocks of the page exported, run it under `set -e`, save the exports again (harness variables excluded, so they always win). */
function script(block: DocBlock, stateFile: string, harness: readonly string[]): string {
  const own = `^declare -x (${[...harness, 'PWD', 'OLDPWD', 'SHLVL', '_'].join('|')})(=|$)`;
  return `[ -f '${stateFile}' ] && . '${stateFile}'\nset -e\n${block.body}\n__rc=$?\nset +e\nexport -p | grep -Ev '${own}' > '${stateFile}'\nexit $__rc\n`;
}

function bash(source: string, cwd: string, env: Record<string, string>): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve) => {
    execFile('bash', ['-c', source], { cwd, env, timeout: 60_000 }, (error, stdout, stderr) => {
      const status = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
      resolve({ status, output: `${stdout}${stderr}` });
    });
  });
}

async function post(url: string, token: string, body: unknown): Promise<number> {
  const res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await res.text();
  return res.status;
}

/** The instance's breaker gauges, shown when a block fails. */
async function breakerLines(url: string): Promise<string[]> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text.split('\n').filter((l) => l.startsWith('circuit_breaker_') || l.startsWith('kms_errors_total'));
}

/** Whether any breaker is not closed (1 open, 2 half-open). */
async function anyBreakerNotClosed(url: string): Promise<boolean> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return /^circuit_breaker_state\{[^}]*\} [12]$/m.test(text);
}

async function anyBreakerHalfOpen(url: string): Promise<boolean> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return /^circuit_breaker_state\{[^}]*\} 2$/m.test(text);
}

describe('runnable blocks of docs/runbooks and docs/setup', () => {
  let api: AppProcess;
  let scheduler: AppProcess;
  let kms: KmsTestServer;
  let faultApi: AppProcess | undefined;
  let cwd: string;

  beforeAll(async () => {
    kms = await startKmsTestServer({ aliases: [MASTER_ALIAS] });
    api = await startApi();
    scheduler = await startApp('rotation-scheduler', {}, 'SCHEDULER_PORT', api.dataDir);
    expect(await post(`${api.url}/v1/keys`, TOKENS.admin, { tenantId: 'acme', name: 'docs', purpose: 'sign' })).toBe(201);
    // The blocks run in a scratch directory (bundles they write land there) that sees the workspace's sources.
    cwd = mkdtempSync(path.join(tmpdir(), 'keyledger-docs-'));
    for (const entry of ['node_modules', 'tools', 'libs', 'apps', 'docs', 'tsconfig.base.json', 'package.json']) symlinkSync(path.join(ROOT, entry), path.join(cwd, entry));
  });

  afterAll(async () => {
    await faultApi?.stop();
    await scheduler?.stop();
    await api?.stop();
    await kms?.close();
    if (cwd) rmSync(cwd, { recursive: true, force: true });
  });

  /** An API on the AWS provider pointed at the test server, with a short timeout and no retries so a fault opens a breaker quickly. */
  async function apiOnTestServer(): Promise<AppProcess> {
    faultApi ??= await startApi({
      KMS_PROVIDER: 'aws',
      AWS_REGION: 'us-east-1',
      AWS_KMS_MASTER_KEY_ID: MASTER_ALIAS,
      AWS_KMS_ENDPOINT: kms.url,
      AWS_ACCESS_KEY_ID: 'docs-check',
      AWS_SECRET_ACCESS_KEY: 'docs-check',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      TIMEOUT_MS: '300',
      RETRY_MAX_RETRIES: '0',
      CB_REQUEST_VOLUME_THRESHOLD: '4',
      // Half-opens half a second after opening: fault blocks run in the state a real outage spends
      // most of its time in between trial calls, so a check that only accepts "open" fails.
      CB_DELAY_MS: '500',
    });
    return faultApi;
  }

  /**
   * Sets the fault and sends key creations (each wraps material through the provider) until a
   * breaker opens, then waits until one has half-opened (no trial call comes without traffic).
   */
  async function induce(mode: string, flags: readonly string[]): Promise<AppProcess> {
    const target = await apiOnTestServer();
    kms.faults.set(parseFaultSettings(faultSettings(mode, flags)));
    const deadline = Date.now() + 20_000;
    for (let round = 0; Date.now() < deadline && !(await anyBreakerNotClosed(target.url)); round++) {
      await Promise.all(Array.from({ length: 6 }, (_, i) => post(`${target.url}/v1/keys`, TOKENS.admin, { tenantId: 'drill', name: `k${round}-${i}`, purpose: 'encrypt' })));
    }
    while (Date.now() < deadline && !(await anyBreakerHalfOpen(target.url))) await new Promise((r) => setTimeout(r, 100));
    return target;
  }

  it('exist in numbers', () => {
    expect(BLOCKS.length).toBeGreaterThanOrEqual(40);
  });

  it.each(BLOCKS.map((b) => [`${b.page}:${b.line}`, b] as const))('%s exits 0', async (_name, block) => {
    const needs = blockNeeds(block);
    const target = needs.kind === 'fault' ? await induce(needs.mode, needs.flags) : api;
    try {
      const env = {
        PATH: process.env['PATH'] ?? '',
        HOME: process.env['HOME'] ?? '',
        KEYLEDGER_URL: target.url,
        SCHEDULER_URL: scheduler.url,
        KMS_TEST_SERVER_URL: kms.url,
        KEYLEDGER_TOKEN: TOKENS.admin,
        TENANT_ID: 'acme',
      };
      const stateFile = path.join(cwd, `.state-${block.page.replace(/\W/g, '_')}`);
      // Asynchronous: the blocks talk to the kms-test-server running in this process.
      const run = await bash(script(block, stateFile, Object.keys(env)), cwd, env);
      const report = { block: `${block.page}:${block.line}`, status: run.status, output: run.output.slice(-2000), ...(run.status === 0 ? {} : { breakers: await breakerLines(target.url) }) };
      expect(report).toEqual({ ...report, status: 0 });
    } finally {
      if (needs.kind === 'fault') kms.faults.clear();
    }
  });

  // Runs after every block (jest keeps declaration order): blocks that freeze or rotate must leave the instance usable.
  it('leave the instance usable: signing not frozen, the tenant key signs', async () => {
    const headers = { authorization: `Bearer ${TOKENS.admin}`, 'content-type': 'application/json' };
    const status = (await (await fetch(`${api.url}/api/admin/kms/status`, { headers })).json()) as { signing_freeze: { frozen: boolean } };
    expect(status.signing_freeze.frozen).toBe(false);
    const { keys } = (await (await fetch(`${api.url}/v1/keys?tenantId=acme`, { headers })).json()) as { keys: { keyId: string; purpose: string; status: string }[] };
    const key = keys.find((k) => k.purpose === 'sign' && k.status === 'Enabled');
    expect(key).toBeDefined();
    const signed = await fetch(`${api.url}/v1/keys/${key?.keyId}/sign`, { method: 'POST', headers, body: JSON.stringify({ message: Buffer.from('after the docs').toString('base64') }) });
    expect(signed.status).toBe(200);
  });
});
