/**
 * The break-glass outage gate across restarts (issue 21, item 1): the built API (KMS_PROVIDER=aws)
 * on the loopback KMS test server opens its signing breaker under a Sign fault, accepts a
 * break-glass request, then is stopped (SIGKILL, then SIGTERM) and restarted on a healthy
 * provider. The recorded outage must not outlive the process that recorded it: after either
 * restart, requests and approvals answer 409 NO_OUTAGE.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKmsTestServer, type KmsTestServer } from '../kms-test-server/src';
import { startApiProcess, waitUntil, type ApiProcess } from './support/api-process';
import { call, envelopeOf } from './support/http';
import { MASTER_ALIAS, signWith } from './support/kms-api';
import { report } from './support/report';
import { OWN_TENANT, writeSuiteTokens, type SuiteTokens } from './support/tokens';

let kms: KmsTestServer;
let tokens: SuiteTokens;
let dataDir: string;
let api: ApiProcess | null = null;
let keyId: string;

const env = (): Record<string, string> => ({
  NODE_ENV: 'production',
  REQUIRE_KMS: 'true',
  KMS_PROVIDER: 'aws',
  AWS_REGION: 'us-east-1',
  AWS_KMS_MASTER_KEY_ID: MASTER_ALIAS,
  AWS_KMS_ENDPOINT: kms.url,
  AWS_ACCESS_KEY_ID: 'AKIARELIABILITY00002',
  AWS_SECRET_ACCESS_KEY: 'relsecret-break-glass-restart',
  KEYLEDGER_DATA_DIR: dataDir,
  AUTH_TOKENS_FILE: tokens.file,
  RATE_LIMIT_TENANT_RPS: '0',
  BREAKGLASS_MIN_OUTAGE_MINUTES: '0',
  CB_DELAY_MS: '600000',
  RETRY_DELAY_MS: '10',
  RETRY_JITTER_MS: '5',
});

const requestBody = { tenantId: OWN_TENANT, justification: 'signing provider outage drill: restart gate', incidentRef: 'INC-RESTART' };
const requestSession = () => call((api as ApiProcess).base, { method: 'POST', path: '/v1/break-glass', token: tokens.byRole['breakglass-requester'], body: requestBody });

/** Faults Sign until the API's signing breaker is open, then checks that break-glass is accepted. */
async function outage(): Promise<string> {
  kms.faults.set({ mode: 'unavailable', operations: ['Sign'] });
  const opened = await waitUntil(async () => envelopeOf(await signWith((api as ApiProcess).base, tokens.root, keyId))?.code === 'CIRCUIT_OPEN', 20_000, 1);
  expect(opened).toBe(true);
  let sessionId: string | null = null;
  // The opening is recorded off the request path: wait until the gate sees it.
  await waitUntil(async () => {
    const a = await requestSession();
    sessionId = a.status === 201 ? (a.json as { sessionId: string }).sessionId : null;
    return sessionId !== null;
  }, 10_000, 50);
  expect(sessionId).not.toBeNull();
  return sessionId as unknown as string;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'keyledger-reliability-bg-'));
  kms = await startKmsTestServer({ port: 0, aliases: [MASTER_ALIAS] });
  tokens = writeSuiteTokens(dataDir);
  api = await startApiProcess(env());
  const created = await call(api.base, { method: 'POST', path: '/v1/keys', token: tokens.root, body: { tenantId: OWN_TENANT, name: 'gate', purpose: 'sign', mode: 'provider-resident' } });
  expect(created.status).toBe(201);
  keyId = (created.json as { keyId: string }).keyId;
}, 60_000);

afterAll(async () => {
  await api?.stop();
  await kms?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe.each([
  ['SIGKILL', (p: ApiProcess) => p.kill()],
  ['SIGTERM', (p: ApiProcess) => p.stop()],
])('break-glass after a restart on a healthy provider (%s)', (signal, stop) => {
  it('answers 409 NO_OUTAGE to a new request and to approving the request made during the outage', async () => {
    const during = await outage();
    await stop(api as ApiProcess);
    kms.faults.clear();
    api = await startApiProcess(env());
    expect((await signWith(api.base, tokens.root, keyId)).status).toBe(200);
    const request = await requestSession();
    expect(request.status).toBe(409);
    expect(envelopeOf(request)?.code).toBe('NO_OUTAGE');
    const approval = await call(api.base, { method: 'POST', path: `/v1/break-glass/${during}/approve`, token: tokens.byRole['approver-security'], body: {} });
    expect(approval.status).toBe(409);
    expect(envelopeOf(approval)?.code).toBe('NO_OUTAGE');
    const events = await call(api.base, { method: 'GET', path: '/v1/audit/events?limit=1000', token: tokens.root });
    const ended = ((events.json as { events?: { type: string; data: { reason?: string } }[] }).events ?? []).filter((e) => e.type === 'BreakerOutageEnded');
    expect(ended.length).toBeGreaterThan(0);
    report(`break-glass gate after ${signal}`, [`request 409 NO_OUTAGE, approval 409 NO_OUTAGE; outage ended by: ${ended.map((e) => e.data.reason).join(', ')}`]);
  }, 90_000);
});
