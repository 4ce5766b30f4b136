/** The built API configured with KMS_PROVIDER=aws against an in-process loopback KMS test server. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DecryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { startKmsTestServer, type KmsTestServer } from '../../kms-test-server/src';
import { startApiProcess, type ApiProcess } from './api-process';
import { call, type Answer } from './http';
import { writeSuiteTokens, type SuiteTokens } from './tokens';

export const MASTER_ALIAS = 'alias/keyledger-master';

/** A KMS test server, the API on it, the tokens, and the AWS credentials given to the API (secrets for the scan). */
export interface KmsApi {
  readonly kms: KmsTestServer;
  readonly api: ApiProcess;
  readonly tokens: SuiteTokens;
  readonly dataDir: string;
  readonly awsSecret: string;
  /** Unwraps a blob with the test server's master key (as the API's provider would). */
  unwrap(blobBase64: string, context: Record<string, string>): Promise<Buffer>;
  /** The API's breaker states by name (from the admin status). */
  breakers(): Promise<Record<string, string>>;
  close(): Promise<void>;
}

/** Starts both; `env` adds to (or overrides) the API's environment. */
export async function startKmsApi(env: Record<string, string> = {}): Promise<KmsApi> {
  const dataDir = mkdtempSync(join(tmpdir(), 'keyledger-reliability-'));
  const kms = await startKmsTestServer({ port: 0, aliases: [MASTER_ALIAS] });
  const tokens = writeSuiteTokens(dataDir);
  const awsSecret = `relsecret${randomBytes(24).toString('hex')}`;
  const api = await startApiProcess({
    NODE_ENV: 'production',
    REQUIRE_KMS: 'true',
    KMS_PROVIDER: 'aws',
    AWS_REGION: 'us-east-1',
    AWS_KMS_MASTER_KEY_ID: MASTER_ALIAS,
    AWS_KMS_ENDPOINT: kms.url,
    AWS_ACCESS_KEY_ID: 'AKIARELIABILITY00001',
    AWS_SECRET_ACCESS_KEY: awsSecret,
    KEYLEDGER_DATA_DIR: dataDir,
    AUTH_TOKENS_FILE: tokens.file,
    RATE_LIMIT_TENANT_RPS: '0',
    LOG_LEVEL: 'debug',
    ...env,
  }).catch(async (error: unknown) => {
    await kms.close();
    throw error;
  });
  const client = new KMSClient({ endpoint: kms.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
  return {
    kms,
    api,
    tokens,
    dataDir,
    awsSecret,
    async unwrap(blob, context) {
      const out = await client.send(new DecryptCommand({ CiphertextBlob: Buffer.from(blob, 'base64'), EncryptionContext: context }));
      return Buffer.from(out.Plaintext ?? new Uint8Array());
    },
    async breakers() {
      const status = await call(api.base, { method: 'GET', path: '/api/admin/kms/status', token: tokens.root });
      const list = (status.json as { breakers?: { name: string; state: string }[] }).breakers ?? [];
      return Object.fromEntries(list.map((b) => [b.name, b.state]));
    },
    async close() {
      client.destroy();
      await api.stop();
      await kms.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** POST sign on `keyId` with the root token (a fresh message each time). */
export function signWith(base: string, token: string, keyId: string): Promise<Answer> {
  return call(base, { method: 'POST', path: `/v1/keys/${keyId}/sign`, token, body: { message: randomBytes(16).toString('base64') } });
}
