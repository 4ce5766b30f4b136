/**
 * Break-glass sessions for the matrix: a session can only be requested during a recorded outage of
 * the signing provider, so this opens the signing breaker with a KMS fault, requests one session per
 * tenant with the root token, then clears the fault and lets the breaker close.
 */
import { waitUntil } from './api-process';
import type { Fixture } from './fixture';
import { call, envelopeOf } from './http';
import { signWith, type KmsApi } from './kms-api';
import { FOREIGN_TENANT, OWN_TENANT } from './tokens';

export async function createSessions(ctx: KmsApi, fx: Fixture): Promise<void> {
  const resident = await fx.freshKey(OWN_TENANT, 'sign', undefined, 'provider-resident');
  ctx.kms.faults.set({ mode: 'unavailable', operations: ['Sign'] });
  const opened = await waitUntil(async () => envelopeOf(await signWith(ctx.api.base, ctx.tokens.root, resident))?.code === 'CIRCUIT_OPEN', 20_000, 1);
  if (!opened) throw new Error('the signing breaker did not open');
  for (const tenant of [OWN_TENANT, FOREIGN_TENANT] as const) {
    let sessionId: string | null = null;
    await waitUntil(async () => {
      // The own tenant's session belongs to the matrix's requester token, so its signing cell reaches the use case.
      const token = tenant === OWN_TENANT ? ctx.tokens.byRole['breakglass-requester'] : ctx.tokens.root;
      const a = await call(ctx.api.base, { method: 'POST', path: '/v1/break-glass', token, body: { tenantId: tenant, justification: 'signing provider outage drill for the matrix', incidentRef: `INC-${tenant}` } });
      sessionId = a.status === 201 ? ((a.json as { sessionId?: string }).sessionId ?? null) : null;
      return sessionId !== null;
    }, 10_000, 100);
    if (sessionId === null) throw new Error(`no break-glass session for ${tenant}`);
    fx.of(tenant).sessionId = sessionId;
  }
  ctx.kms.faults.clear();
  const closed = await waitUntil(async () => (await signWith(ctx.api.base, ctx.tokens.root, resident)).status === 200 && (await ctx.breakers())['kms-signing-key'] === 'closed', 20_000, 100);
  if (!closed) throw new Error('the signing breaker did not close after the fault cleared');
}
