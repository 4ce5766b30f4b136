/**
 * Provider outage drills: the API (KMS_PROVIDER=aws) against the loopback KMS test server, one
 * drill per fault mode, on the signing breaker through a provider-resident key (every sign is a
 * KMS Sign call). Timing figures are printed, never asserted.
 */
import type { FaultSettings } from '../kms-test-server/src';
import { runDrill, type DrillReport } from './support/drill';
import { call, envelopeOf, type Answer } from './support/http';
import { startKmsApi, signWith, type KmsApi } from './support/kms-api';
import { report } from './support/report';
import { scanForSecrets } from './support/secret-scan';

const DELAY_MS = 2500;
const TIMEOUT_MS = 300;
let ctx: KmsApi;
let keyId: string;
const passed: string[] = [];

beforeAll(async () => {
  ctx = await startKmsApi({
    CB_DELAY_MS: String(DELAY_MS),
    TIMEOUT_MS: String(TIMEOUT_MS),
    RETRY_DELAY_MS: '20',
    RETRY_JITTER_MS: '10',
    RETRY_MAX_DURATION_MS: '5000',
  });
  const created = await call(ctx.api.base, { method: 'POST', path: '/v1/keys', token: ctx.tokens.root, body: { tenantId: 'acme', name: 'drill', purpose: 'sign', mode: 'provider-resident' } });
  expect(created.status).toBe(201);
  keyId = (created.json as { keyId: string }).keyId;
}, 60_000);

afterAll(async () => {
  report('outage drills', [`${passed.length} drills passed: ${passed.join(', ')}`]);
  await ctx?.close();
});

const kmsReadiness = (a: Answer): unknown => (a.json as { details?: { kms?: { status?: unknown } } } | null)?.details?.kms?.status;
const retryAfter = (a: Answer): number => Number(a.headers['retry-after']);

function expectFailClosed(answers: readonly Answer[], codes: readonly string[]): void {
  for (const a of answers) {
    expect(a.status).toBe(503);
    expect(codes).toContain(envelopeOf(a)?.code);
    expect(retryAfter(a)).toBeGreaterThanOrEqual(1);
  }
}

function expectRecovered(r: DrillReport): void {
  expect(r.recoveryAnswers.map((a) => a.status)).toEqual([200, 200, 200]);
  expect(r.breakerAfterRecovery).toBe('closed');
  expect(r.recoveredSignaturesVerify).toBe(true);
  expect(r.readyAfterRecovery).toBe(true);
}

const OPENING: [string, Partial<FaultSettings>][] = [
  ['latency beyond the timeout', { mode: 'none', latencyMs: TIMEOUT_MS * 3 }],
  ['throttling', { mode: 'throttle' }],
  ['5xx (KMSInternalException)', { mode: 'internal-error' }],
  ['5xx (ServiceUnavailable)', { mode: 'unavailable' }],
  ['connection reset', { mode: 'connection-reset' }],
  ['black hole', { mode: 'black-hole' }],
  ['access denied', { mode: 'access-denied' }],
];

describe('provider outage drills (signing breaker, KMS_PROVIDER=aws)', () => {
  it.each(OPENING)('%s: opens within 10 calls, fails fast with 503 + Retry-After, readiness down, closes after the delay and 3 successes', async (name, fault) => {
    expect((await signWith(ctx.api.base, ctx.tokens.root, keyId)).status).toBe(200);
    const r = await runDrill(ctx, keyId, fault, { maxRequests: 10, openProbes: 100, delayMs: DELAY_MS });
    expect(r.requestsUntilOpen).not.toBeNull();
    expect(r.requestsUntilOpen as number).toBeLessThanOrEqual(10);
    expect(r.kmsCallsUntilOpen).toBeLessThanOrEqual(10);
    expectFailClosed(r.faultAnswers, ['KMS_UNAVAILABLE', 'CIRCUIT_OPEN']);
    expectFailClosed(r.openAnswers, ['CIRCUIT_OPEN']);
    expect(r.kmsCallsWhileOpen).toBe(0);
    expect(r.readyDuringFault.status).toBe(503);
    expect(kmsReadiness(r.readyDuringFault)).toBe('down');
    expectRecovered(r);
    passed.push(name);
    report(`drill ${name}`, [
      `opened after ${r.requestsUntilOpen} requests / ${r.kmsCallsUntilOpen} KMS calls; open: ${r.openAnswers.length} requests, p99 ${r.openP99Ms.toFixed(2)} ms, ${r.kmsCallsWhileOpen} KMS calls`,
    ]);
  }, 60_000);

  it('leaves no token or AWS secret in the logs', () => {
    const hits = scanForSecrets([{ name: 'api output', text: ctx.api.output() }], [...ctx.tokens.all.map((t, i) => ({ label: `token ${i}`, value: t })), { label: 'AWS secret', value: ctx.awsSecret }]);
    expect(hits).toEqual([]);
  });
});
