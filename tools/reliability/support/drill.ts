/** One provider outage drill on the signing breaker, through a provider-resident key (every sign is a KMS Sign). */
import { createPublicKey, verify } from 'node:crypto';
import type { FaultSettings } from '../../kms-test-server/src';
import { waitUntil } from './api-process';
import { call, envelopeOf, percentile, type Answer } from './http';
import { signWith, type KmsApi } from './kms-api';

export const SIGNING_BREAKER = 'kms-signing-key';

/** What a drill observed; the spec asserts on it. */
export interface DrillReport {
  /** Requests sent until the first CIRCUIT_OPEN (null: the breaker did not open). */
  readonly requestsUntilOpen: number | null;
  /** KMS Sign calls that reached the server before the breaker opened. */
  readonly kmsCallsUntilOpen: number;
  /** KMS Sign calls during the fault phase (until open, or all of it when the breaker stays closed). */
  readonly kmsCallsDuringFault: number;
  /** Every answer while the fault was on and before recovery. */
  readonly faultAnswers: readonly Answer[];
  /** Answers while the breaker was open (fail-fast phase) and their p99 in ms. */
  readonly openAnswers: readonly Answer[];
  readonly openP99Ms: number;
  /** KMS Sign calls made while the breaker was open (must be none). */
  readonly kmsCallsWhileOpen: number;
  /** The readiness answer while the fault was on (polled until it reports down, for up to 7 s). */
  readonly readyDuringFault: Answer;
  /** Answers after the fault cleared and the breaker's delay passed. */
  readonly recoveryAnswers: readonly Answer[];
  readonly breakerAfterRecovery: string;
  /** Whether every signature returned after recovery verifies with the key's public key from KMS. */
  readonly recoveredSignaturesVerify: boolean;
  readonly readyAfterRecovery: boolean;
}

const signCalls = (ctx: KmsApi): number => ctx.kms.faults.stats().byOperation['Sign'] ?? 0;
const code = (a: Answer): string | undefined => envelopeOf(a)?.code;

async function verifies(ctx: KmsApi, keyId: string, answers: readonly Answer[], messages: readonly string[]): Promise<boolean> {
  const pk = await call(ctx.api.base, { method: 'GET', path: `/v1/keys/${keyId}/public-key`, token: ctx.tokens.root });
  const pem = (pk.json as { pem?: string }).pem;
  if (!pem) return false;
  const key = createPublicKey(pem);
  return answers.every((a, i) => verify('sha256', Buffer.from(messages[i] ?? '', 'base64'), { key, dsaEncoding: 'der' }, Buffer.from((a.json as { signature: string }).signature, 'base64')));
}

/** Drives traffic into `fault` until the breaker opens (at most `maxRequests`), probes the open state, clears and recovers. */
export async function runDrill(ctx: KmsApi, keyId: string, fault: Partial<FaultSettings>, opts: { maxRequests: number; openProbes: number; delayMs: number }): Promise<DrillReport> {
  const base = ctx.api.base;
  const before = signCalls(ctx);
  ctx.kms.faults.set(fault);
  const faultAnswers: Answer[] = [];
  let requestsUntilOpen: number | null = null;
  let kmsCallsUntilOpen = 0;
  for (let i = 1; i <= opts.maxRequests; i++) {
    const a = await signWith(base, ctx.tokens.root, keyId);
    faultAnswers.push(a);
    if (code(a) === 'CIRCUIT_OPEN') {
      requestsUntilOpen = i;
      kmsCallsUntilOpen = signCalls(ctx) - before;
      break;
    }
  }
  const kmsCallsDuringFault = signCalls(ctx) - before;
  const openAnswers: Answer[] = [];
  const atOpen = signCalls(ctx);
  if (requestsUntilOpen !== null) {
    for (let i = 0; i < opts.openProbes; i++) openAnswers.push(await signWith(base, ctx.tokens.root, keyId));
  }
  const kmsCallsWhileOpen = signCalls(ctx) - atOpen;
  let readyDuringFault = await call(base, { method: 'GET', path: '/health/ready' });
  await waitUntil(async () => (readyDuringFault = await call(base, { method: 'GET', path: '/health/ready' })).status === 503, 7000, 250);
  ctx.kms.faults.clear();
  if (requestsUntilOpen !== null) {
    faultAnswers.push(await signWith(base, ctx.tokens.root, keyId));
    await waitUntil(async () => (await ctx.breakers())[SIGNING_BREAKER] !== 'open', opts.delayMs + 3000, 50);
  }
  const recovery = await recover(ctx, keyId);
  const readyAfterRecovery = await waitUntil(async () => (await call(base, { method: 'GET', path: '/health/ready' })).status === 200, 10_000, 250);
  return {
    requestsUntilOpen,
    kmsCallsUntilOpen,
    kmsCallsDuringFault,
    faultAnswers,
    openAnswers,
    openP99Ms: percentile(openAnswers.map((a) => a.ms), 99),
    kmsCallsWhileOpen,
    readyDuringFault,
    recoveryAnswers: recovery.answers,
    breakerAfterRecovery: (await ctx.breakers())[SIGNING_BREAKER] ?? 'unknown',
    recoveredSignaturesVerify: await verifies(ctx, keyId, recovery.answers, recovery.messages),
    readyAfterRecovery,
  };
}

/** Three signs after the fault cleared (the half-open trial calls), with their messages. */
async function recover(ctx: KmsApi, keyId: string): Promise<{ answers: Answer[]; messages: string[] }> {
  const answers: Answer[] = [];
  const messages: string[] = [];
  for (let i = 0; i < 3; i++) {
    const message = Buffer.from(`recovery ${i} ${Date.now()}`).toString('base64');
    messages.push(message);
    answers.push(await call(ctx.api.base, { method: 'POST', path: `/v1/keys/${keyId}/sign`, token: ctx.tokens.root, body: { message } }));
  }
  return { answers, messages };
}
