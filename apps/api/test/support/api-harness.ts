import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadApiConfig, loadConfig } from '@keyledger/runtime';
import { startApi, type ApiOverrides } from '../../src/bootstrap';

export const TOKENS = {
  admin: 'tok-admin-0123456789abcdef',
  acmeClient: 'tok-acme-client-0123456789',
  acmeKeyAdmin: 'tok-acme-keyadmin-0123456',
  globexClient: 'tok-globex-client-012345',
  acmeAdmin: 'tok-acme-admin-0123456789',
} as const;

/** A started API on a fresh data directory with the embedded SQLite store, the local provider and static tokens. */
export interface Harness {
  readonly app: NestFastifyApplication;
  readonly base: string;
  readonly dataDir: string;
  // Response bodies are read field by field in assertions.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  call(method: string, path: string, token: string | null, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Headers }>;
  close(): Promise<void>;
}

export async function startHarness(env: Record<string, string> = {}, overrides: ApiOverrides = {}): Promise<Harness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'keyledger-api-'));
  const tokensFile = join(dataDir, 'tokens.json');
  writeFileSync(
    tokensFile,
    JSON.stringify([
      { token: TOKENS.admin, subject: 'ops', roles: ['admin', 'key-admin', 'client'], tenants: ['*'] },
      { token: TOKENS.acmeClient, subject: 'acme-app', roles: ['client'], tenants: ['acme'] },
      { token: TOKENS.acmeKeyAdmin, subject: 'acme-admin', roles: ['key-admin'], tenants: ['acme'] },
      { token: TOKENS.globexClient, subject: 'globex-app', roles: ['client', 'key-admin'], tenants: ['globex'] },
      { token: TOKENS.acmeAdmin, subject: 'acme-ops', roles: ['admin'], tenants: ['acme'] },
    ]),
  );
  const config = { ...loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', KEYLEDGER_DATA_DIR: dataDir, ...env }), port: 0 };
  const api = loadApiConfig({ AUTH_TOKENS_FILE: tokensFile, KMS_CACHE_WARM_COUNT: '0', ...env });
  const app = await startApi(config, { ...overrides, api });
  const address = app.getHttpServer().address();
  if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
  const base = `http://127.0.0.1:${address.port}`;
  return {
    app,
    base,
    dataDir,
    async call(method, path, token, body, headers = {}) {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text.length > 0 && text.startsWith('{') ? JSON.parse(text) : text, headers: res.headers };
    },
    async close() {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const b64 = (s: string | Buffer): string => Buffer.from(s).toString('base64');
