import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { KmsProviderError } from '@keyledger/kms-domain';
import { loadApiConfig, loadConfig } from '@keyledger/runtime';
import { startApi } from '../../src/bootstrap';
import { createApiRuntime, type ApiRuntime } from '../../src/composition/api-runtime';

/** Tokens of the break-glass roles (static auth). */
export const BG = {
  alice: 'tok-bg-alice-requester-0001',
  sam: 'tok-bg-sam-security-000002',
  fay: 'tok-bg-fay-finance-0000003',
  both: 'tok-bg-bob-both-approver-04',
  selfApprover: 'tok-bg-rita-req-approver-5',
  client: 'tok-bg-acme-client-0000006',
  globex: 'tok-bg-globex-requester-07',
  admin: 'tok-bg-admin-00000000000008',
} as const;

const TOKEN_FILE = [
  { token: BG.alice, subject: 'alice', roles: ['breakglass-requester'], tenants: ['acme'] },
  { token: BG.sam, subject: 'sam', roles: ['approver-security'], tenants: ['*'] },
  { token: BG.fay, subject: 'fay', roles: ['approver-finance'], tenants: ['*'] },
  { token: BG.both, subject: 'bob', roles: ['approver-security', 'approver-finance'], tenants: ['*'] },
  { token: BG.selfApprover, subject: 'rita', roles: ['breakglass-requester', 'approver-security'], tenants: ['acme'] },
  { token: BG.client, subject: 'acme-app', roles: ['client', 'key-admin'], tenants: ['acme'] },
  { token: BG.globex, subject: 'gina', roles: ['breakglass-requester'], tenants: ['globex'] },
  { token: BG.admin, subject: 'ops', roles: ['admin', 'auditor'], tenants: ['*'] },
];

export interface BreakGlassHarness {
  readonly app: NestFastifyApplication;
  readonly runtime: ApiRuntime;
  readonly dataDir: string;
  readonly base: string;
  // Response bodies are read field by field in assertions.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  call(method: string, path: string, token: string | null, body?: unknown): Promise<{ status: number; body: any }>;
  /** Opens the real `kms-signing-key` breaker with provider failures and waits until the opening is recorded. */
  tripSigningBreaker(): Promise<void>;
  /** Stops the API; the data directory stays unless `remove`. */
  close(remove?: boolean): Promise<void>;
}

/** The API with break-glass settings (BREAKGLASS_MIN_OUTAGE_MINUTES=0 unless given) on `dataDir` (fresh by default). */
export async function startBreakGlassHarness(env: Record<string, string> = {}, dataDir = mkdtempSync(join(tmpdir(), 'keyledger-bg-'))): Promise<BreakGlassHarness> {
  const tokensFile = join(dataDir, 'tokens.json');
  writeFileSync(tokensFile, JSON.stringify(TOKEN_FILE));
  const all = { NODE_ENV: 'test', LOG_LEVEL: 'silent', KEYLEDGER_DATA_DIR: dataDir, AUTH_TOKENS_FILE: tokensFile, KMS_CACHE_WARM_COUNT: '0', BREAKGLASS_MIN_OUTAGE_MINUTES: '0', ...env };
  const config = { ...loadConfig(all), port: 0 };
  const api = loadApiConfig(all);
  const runtime = await createApiRuntime(config, api, { warn: () => undefined, announceToken: () => undefined }, all);
  const app = await startApi(config, { api, runtime });
  const address = app.getHttpServer().address();
  if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
  const base = `http://127.0.0.1:${address.port}`;
  return {
    app,
    runtime,
    dataDir,
    base,
    async call(method, path, token, body) {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text.startsWith('{') ? JSON.parse(text) : text };
    },
    async tripSigningBreaker() {
      const ops = runtime.ops;
      const failing = () => Promise.reject(new KmsProviderError('KMS_UNAVAILABLE', 'injected outage', { provider: runtime.provider.kind, operation: 'sign' }));
      for (let i = 0; i < 100 && !ops.gateway.snapshots().some((s) => s.name === 'kms-signing-key' && s.state === 'open'); i++) {
        await ops.gateway.call('kms-signing-key', 'sign', failing).catch(() => undefined);
      }
      await ops.breakerRecorder.flush();
      await ops.views.waitFor(await runtime.store.headPosition());
    },
    async close(remove = true) {
      await app.close();
      if (remove) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const b64 = (s: string | Buffer): string => Buffer.from(s).toString('base64');
