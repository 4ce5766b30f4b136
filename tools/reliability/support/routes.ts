/**
 * Every route of the API with the expected authorisation per role (the table the matrix checks)
 * and a valid request for each, built on the fixture. Keys of the table are `METHOD /openapi/path`.
 */
import type { Call } from './http';
import type { Fixture, Tenant } from './fixture';
import { ROLES, type Role } from './tokens';

/**
 * Per role, in ROLES order (client, key-admin, admin, auditor, breakglass-requester,
 * approver-security, approver-finance): `T` allowed on its own tenant only (foreign: 404),
 * `G` allowed whatever the tenant (platform-wide route), `A` allowed only with a token for every
 * tenant (`*`; the matrix's role tokens reach one tenant, so 403, and the root token is checked
 * apart), `-` refused with 403. `public`: no token needed.
 */
type Grant = 'T' | 'G' | 'A' | '-';
export type Expected = 'ok' | 'reaches' | 'unauthenticated' | 'forbidden' | 'hidden';

export interface RouteSpec {
  readonly id: string;
  readonly grants: readonly Grant[] | 'public';
  /** What an allowed call must give: `ok` = 2xx; `reaches` = passes authorisation (preconditions outside the suite). */
  readonly allowed: 'ok' | 'reaches';
  /** The error code hiding another tenant's resource (404). */
  readonly hiddenCode: string;
  readonly request: (fx: Fixture, tenant: Tenant) => Promise<Omit<Call, 'token'>>;
  /** Undo what an allowed call changed (e.g. resume after a freeze). */
  readonly after?: (fx: Fixture) => Promise<void>;
}

const g = (row: string): readonly Grant[] => {
  const grants = row.split(/\s+/).filter(Boolean) as Grant[];
  if (grants.length !== ROLES.length) throw new Error(`grant row "${row}" needs ${ROLES.length} entries`);
  return grants;
};

const post = (path: string, body: unknown = {}): Omit<Call, 'token'> => ({ method: 'POST', path, body });
const get = (path: string): Omit<Call, 'token'> => ({ method: 'GET', path });
const justification = 'provider outage drill for the reliability suite';

type Builder = (fx: Fixture, t: Tenant) => Promise<Omit<Call, 'token'>>;

/** route id → [grants row, allowed, request builder, after?] */
const TABLE: Record<string, [string | 'public', 'ok' | 'reaches', Builder, ((fx: Fixture) => Promise<void>)?, string?]> = {
  //                                                client key-admin admin auditor bg-req appr-sec appr-fin
  'GET /health/live': ['public', 'ok', async () => get('/health/live')],
  'GET /health/ready': ['public', 'ok', async () => get('/health/ready')],
  'GET /metrics': ['public', 'ok', async () => get('/metrics')],
  'POST /v1/keys': ['-  T  -  -  -  -  -', 'ok', async (_fx, t) => post('/v1/keys', { tenantId: t, name: `m${Date.now() % 1e9}`, purpose: 'sign' })],
  'GET /v1/keys': ['T  T  -  T  -  -  -', 'ok', async (_fx, t) => get(`/v1/keys?tenantId=${t}`)],
  'GET /v1/keys/{keyId}': ['T  T  -  T  -  -  -', 'ok', async (fx, t) => get(`/v1/keys/${fx.of(t).signKey}`)],
  'PATCH /v1/keys/{keyId}': ['-  T  -  -  -  -  -', 'ok', async (fx, t) => ({ method: 'PATCH', path: `/v1/keys/${fx.of(t).signKey}`, body: { rotationPeriodDays: 45 } })],
  'POST /v1/keys/{keyId}/rotate': ['-  T  -  -  -  -  -', 'ok', async (fx, t) => post(`/v1/keys/${await fx.freshKey(t, 'sign')}/rotate`)],
  // A fresh key has nothing to trim (400 VALIDATION_FAILED): the route is reached, the decider refuses.
  'POST /v1/keys/{keyId}/trim': ['-  T  -  -  -  -  -', 'reaches', async (fx, t) => post(`/v1/keys/${await fx.freshKey(t, 'sign')}/trim`, { minAvailableVersion: 2 })],
  'POST /v1/keys/{keyId}/disable': ['-  T  -  -  -  -  -', 'ok', async (fx, t) => post(`/v1/keys/${await fx.freshKey(t, 'sign')}/disable`)],
  'POST /v1/keys/{keyId}/enable': ['-  T  -  -  -  -  -', 'ok', async (fx, t) => post(`/v1/keys/${await fx.freshKey(t, 'sign', 'disable')}/enable`)],
  'POST /v1/keys/{keyId}/schedule-deletion': ['-  T  -  -  -  -  -', 'ok', async (fx, t) => post(`/v1/keys/${await fx.freshKey(t, 'sign')}/schedule-deletion`, { pendingWindowDays: 7 })],
  'POST /v1/keys/{keyId}/cancel-deletion': ['-  T  -  -  -  -  -', 'ok', async (fx, t) => post(`/v1/keys/${await fx.freshKey(t, 'sign', 'schedule-deletion')}/cancel-deletion`)],
  'POST /v1/keys/{keyId}/sign': ['T  -  -  -  -  -  -', 'ok', async (fx, t) => post(`/v1/keys/${fx.of(t).signKey}/sign`, { message: fx.of(t).message })],
  'POST /v1/keys/{keyId}/sign-jwt': ['T  -  -  -  -  -  -', 'ok', async (fx, t) => post(`/v1/keys/${fx.of(t).signKey}/sign-jwt`, { claims: { sub: 'reliability' } })],
  // Any compact string reaches the route; whether it verifies is the JWS suite's business.
  'POST /v1/keys/{keyId}/verify-jwt': ['T  -  -  -  -  -  -', 'reaches', async (fx, t) => post(`/v1/keys/${fx.of(t).signKey}/verify-jwt`, { jwt: 'eyJhbGciOiJFUzI1NiJ9.e30.AA' })],
  // The fixture's keys sign and encrypt: a MAC on a sign key reaches the route and is refused (400 VALIDATION_FAILED).
  'POST /v1/keys/{keyId}/mac': ['T  -  -  -  -  -  -', 'reaches', async (fx, t) => post(`/v1/keys/${fx.of(t).signKey}/mac`, { message: fx.of(t).message })],
  'POST /v1/keys/{keyId}/verify-mac': ['T  -  -  -  -  -  -', 'reaches', async (fx, t) => post(`/v1/keys/${fx.of(t).signKey}/verify-mac`, { message: fx.of(t).message, mac: fx.of(t).message })],
  'POST /v1/keys/{keyId}/verify': ['T  -  -  -  -  -  -', 'ok', async (fx, t) => post(`/v1/keys/${fx.of(t).signKey}/verify`, { message: fx.of(t).message, signature: fx.of(t).signature })],
  'GET /v1/keys/{keyId}/public-key': ['T  T  -  T  -  -  -', 'ok', async (fx, t) => get(`/v1/keys/${fx.of(t).signKey}/public-key`)],
  'GET /v1/tenants/{tenantId}/jwks.json': ['T  T  -  T  -  -  -', 'ok', async (_fx, t) => get(`/v1/tenants/${t}/jwks.json`)],
  'POST /v1/keys/{keyId}/encrypt': ['T  -  -  -  -  -  -', 'ok', async (fx, t) => post(`/v1/keys/${fx.of(t).encKey}/encrypt`, { plaintext: fx.of(t).message })],
  'POST /v1/keys/{keyId}/decrypt': ['T  -  -  -  -  -  -', 'ok', async (fx, t) => post(`/v1/keys/${fx.of(t).encKey}/decrypt`, { ciphertext: fx.of(t).ciphertext })],
  'POST /v1/keys/{keyId}/rewrap': ['T  -  -  -  -  -  -', 'ok', async (fx, t) => post(`/v1/keys/${fx.of(t).encKey}/rewrap`, { ciphertext: fx.of(t).ciphertext })],
  'POST /v1/keys/{keyId}/data-key': ['T  -  -  -  -  -  -', 'ok', async (fx, t) => post(`/v1/keys/${fx.of(t).encKey}/data-key`, { bits: 128 })],
  'GET /api/admin/kms/status': ['-  -  A  -  -  -  -', 'ok', async () => get('/api/admin/kms/status')],
  'POST /api/admin/kms/validate': ['-  -  A  -  -  -  -', 'ok', async () => post('/api/admin/kms/validate')],
  'POST /api/admin/kms/rotate-all-keys': ['-  -  A  -  -  -  -', 'ok', async () => post('/api/admin/kms/rotate-all-keys')],
  'GET /api/admin/kms/jobs/{id}': ['-  -  A  -  -  -  -', 'ok', async (fx) => get(`/api/admin/kms/jobs/${await rotationJob(fx)}`)],
  'POST /api/admin/kms/test-key-retrieval': ['-  -  T  -  -  -  -', 'ok', async (_fx, t) => post('/api/admin/kms/test-key-retrieval', { tenantId: t })],
  'POST /api/admin/signing/freeze': ['-  -  A  -  -  -  -', 'ok', async () => post('/api/admin/signing/freeze', { reason: 'authorisation matrix' }), resume],
  'POST /api/admin/signing/resume': ['-  -  A  -  -  -  -', 'ok', async (fx) => (await freeze(fx), post('/api/admin/signing/resume')), resume],
  'POST /v1/break-glass': ['-  -  -  -  T  -  -', 'reaches', async (_fx, t) => post('/v1/break-glass', { tenantId: t, justification, incidentRef: 'INC-42' }), undefined, 'NOT_FOUND'],
  'GET /v1/audit/checkpoints/latest': ['G  G  G  G  G  G  G', 'reaches', async () => get('/v1/audit/checkpoints/latest')],
  'GET /v1/audit/key': ['G  G  G  G  G  G  G', 'reaches', async () => get('/v1/audit/key')],
  'GET /v1/audit/proofs/inclusion': ['-  -  A  A  -  -  -', 'reaches', async () => get('/v1/audit/proofs/inclusion?eventId=no-such-event')],
  'GET /v1/audit/proofs/consistency': ['-  -  A  A  -  -  -', 'reaches', async () => get('/v1/audit/proofs/consistency?from=1')],
  'GET /v1/audit/events': ['-  -  A  A  -  -  -', 'ok', async () => get('/v1/audit/events?fromPosition=1&limit=10')],
  'GET /v1/break-glass': ['-  -  G  G  G  G  G', 'ok', async () => get('/v1/break-glass')],
  'GET /v1/break-glass/{id}': ['-  -  T  T  T  T  T', 'ok', async (fx, t) => get(`/v1/break-glass/${session(fx, t)}`), undefined, 'SESSION_NOT_FOUND'],
  'POST /v1/break-glass/{id}/approve': ['-  -  -  -  -  T  T', 'reaches', async (fx, t) => post(`/v1/break-glass/${session(fx, t)}/approve`), undefined, 'SESSION_NOT_FOUND'],
  'POST /v1/break-glass/{id}/sign': ['-  -  -  -  T  -  -', 'reaches', async (fx, t) => post(`/v1/break-glass/${session(fx, t)}/sign`, { message: fx.of(t).message, justification }), undefined, 'SESSION_NOT_FOUND'],
  'POST /v1/break-glass/{id}/close': ['-  -  T  -  T  T  T', 'reaches', async (fx, t) => post(`/v1/break-glass/${session(fx, t)}/close`, { reason: 'matrix' }), undefined, 'SESSION_NOT_FOUND'],
};

async function freeze(fx: Fixture): Promise<void> {
  await fx.rootCall(post('/api/admin/signing/freeze', { reason: 'authorisation matrix' }));
}

/** The rotate-all job (started with the root token, or the one running). */
async function rotationJob(fx: Fixture): Promise<string> {
  return ((await fx.rootCall(post('/api/admin/kms/rotate-all-keys'))).json as { jobId: string }).jobId;
}

/** Resumes signing whether or not the cell's call did (a refused resume leaves it frozen). */
async function resume(fx: Fixture): Promise<void> {
  const status = await fx.rootCall(get('/api/admin/kms/status'));
  if ((status.json as { signing_freeze?: { frozen?: boolean } }).signing_freeze?.frozen === true) await fx.rootCall(post('/api/admin/signing/resume'));
}

function session(fx: Fixture, t: Tenant): string {
  const id = fx.of(t).sessionId;
  if (id === null) throw new Error(`no break-glass session for ${t}`);
  return id;
}

/** The routes, in table order. */
export const ROUTES: readonly RouteSpec[] = Object.entries(TABLE).map(([id, [row, allowed, request, after, hidden]]) => ({
  id,
  grants: row === 'public' ? 'public' : g(row),
  allowed,
  hiddenCode: hidden ?? 'KEY_NOT_FOUND',
  request,
  after,
}));

/** Whether a token for every tenant with `role` may call `route` (the `A` grants). */
export const allTenantsOnly = (route: RouteSpec, role: Role): boolean => route.grants !== 'public' && route.grants[ROLES.indexOf(role)] === 'A';

/** The expected outcome of `route` for a principal with `role` only (or none), on `tenant` (own or foreign). */
export function expectedOutcome(route: RouteSpec, role: Role | 'anonymous', foreign: boolean): Expected {
  if (route.grants === 'public') return 'ok';
  if (role === 'anonymous') return 'unauthenticated';
  const grant = route.grants[ROLES.indexOf(role)];
  if (grant === '-' || grant === 'A') return 'forbidden';
  if (grant === 'T' && foreign) return 'hidden';
  return route.allowed;
}
