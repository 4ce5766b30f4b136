/**
 * Bad requests for every route: each generated request carries at least one defect (no or bad
 * token, missing role, another tenant's resource, odd id, bad field, unknown field, missing field,
 * malformed or huge body, bad query), so the only right answers are 4xx in the error envelope.
 */
import type { Fixture } from './fixture';
import type { FieldSpec } from './fuzz-values';
import { FOREIGN_TENANT, OWN_TENANT, type SuiteTokens } from './tokens';

export type Fields = Readonly<Record<string, FieldSpec & { readonly required?: true }>>;

/** A route as the fuzzer sees it: a valid request (own tenant, a token with the role) and its body fields. */
export interface FuzzRoute {
  readonly method: 'GET' | 'POST' | 'PATCH';
  /** Path with the own (or foreign) tenant's resources; `{id}` marks the path id. */
  readonly path: (fx: Fixture, foreign: boolean) => string;
  readonly role: keyof SuiteTokens['byRole'];
  readonly body?: (fx: Fixture) => Record<string, unknown>;
  readonly fields?: Fields;
  /** Query fields (GET). */
  readonly query?: Fields;
  /** Send the valid request with the root token (routes for tokens reaching every tenant). */
  readonly rootToken?: true;
  /** The body naming the foreign tenant, for routes that take the tenant in the body. */
  readonly foreignBody?: (fx: Fixture) => Record<string, unknown>;
}

const int = (min: number, max: number) => ({ kind: 'int', min, max }) as const;
const text = (min: number, max: number) => ({ kind: 'text', min, max }) as const;
const enumOf = (...values: (string | number)[]) => ({ kind: 'enum', values }) as const;
const req = <T extends FieldSpec>(f: T) => ({ ...f, required: true as const });
const ctx = { kind: 'context' } as const;
const t = (foreign: boolean) => (foreign ? FOREIGN_TENANT : OWN_TENANT);
const k = (fx: Fixture, foreign: boolean, which: 'signKey' | 'encKey') => fx.of(t(foreign))[which];
const s = (fx: Fixture, foreign: boolean) => fx.of(t(foreign)).sessionId ?? 'no-session';
const msg = (fx: Fixture) => fx.of(OWN_TENANT).message;
const reason = 'fuzzing the reliability suite';

const keyRoute = (action: string, role: FuzzRoute['role'], which: 'signKey' | 'encKey', body?: FuzzRoute['body'], fields?: Fields): FuzzRoute => ({
  method: 'POST',
  path: (fx, f) => `/v1/keys/${k(fx, f, which)}/${action}`,
  role,
  body: body ?? (() => ({})),
  fields: fields ?? {},
});

/** Every authenticated route of the API (public ones have no defect to find). */
export const FUZZ_ROUTES: Readonly<Record<string, FuzzRoute>> = {
  'POST /v1/keys': {
    method: 'POST', path: () => '/v1/keys', role: 'key-admin',
    body: () => ({ tenantId: OWN_TENANT, name: 'fuzz', purpose: 'sign' }),
    foreignBody: () => ({ tenantId: FOREIGN_TENANT, name: 'fuzz', purpose: 'sign' }),
    fields: { tenantId: req({ kind: 'id' }), name: req({ kind: 'id' }), purpose: req(enumOf('sign', 'encrypt')), algorithm: enumOf('ECDSA_P256_SHA256', 'ED25519', 'RSA_PSS_2048_SHA256', 'RSA_PSS_3072_SHA256', 'AES_256_GCM'), provider: enumOf('local', 'aws', 'pkcs11'), mode: enumOf('wrapped', 'provider-resident'), rotationPeriodDays: int(1, 3650) },
  },
  'GET /v1/keys': { method: 'GET', path: (_fx, f) => `/v1/keys?tenantId=${t(f)}`, role: 'client', query: { tenantId: req({ kind: 'id' }) } },
  'GET /v1/keys/{keyId}': { method: 'GET', path: (fx, f) => `/v1/keys/${k(fx, f, 'signKey')}`, role: 'client' },
  'PATCH /v1/keys/{keyId}': { method: 'PATCH', path: (fx, f) => `/v1/keys/${k(fx, f, 'signKey')}`, role: 'key-admin', body: () => ({ rotationPeriodDays: 90 }), fields: { minDecryptionVersion: int(1, 1e9), minEncryptionVersion: int(0, 1e9), rotationPeriodDays: int(1, 3650), retainVersions: int(0, 1000) } },
  'POST /v1/keys/{keyId}/rotate': keyRoute('rotate', 'key-admin', 'signKey'),
  'POST /v1/keys/{keyId}/trim': keyRoute('trim', 'key-admin', 'signKey', () => ({ minAvailableVersion: 2 }), { minAvailableVersion: int(2, 1e9) }),
  'POST /v1/keys/{keyId}/disable': keyRoute('disable', 'key-admin', 'signKey'),
  'POST /v1/keys/{keyId}/enable': keyRoute('enable', 'key-admin', 'signKey'),
  'POST /v1/keys/{keyId}/schedule-deletion': keyRoute('schedule-deletion', 'key-admin', 'signKey', () => ({ pendingWindowDays: 30 }), { pendingWindowDays: int(7, 30) }),
  'POST /v1/keys/{keyId}/cancel-deletion': keyRoute('cancel-deletion', 'key-admin', 'signKey'),
  'POST /v1/keys/{keyId}/sign': keyRoute('sign', 'client', 'signKey', (fx) => ({ message: msg(fx) }), { message: { kind: 'b64' }, digest: { kind: 'digest' } }),
  'POST /v1/keys/{keyId}/sign-jwt': keyRoute('sign-jwt', 'client', 'signKey', () => ({ claims: { sub: 'fuzz' } })),
  'POST /v1/keys/{keyId}/verify-jwt': keyRoute('verify-jwt', 'client', 'signKey', () => ({ jwt: 'eyJhbGciOiJFUzI1NiJ9.e30.AA' })),
  'POST /v1/keys/{keyId}/mac': keyRoute('mac', 'client', 'signKey', (fx) => ({ message: msg(fx) }), { message: req({ kind: 'b64' }), keyVersion: int(1, 1e9) }),
  'POST /v1/keys/{keyId}/verify-mac': keyRoute('verify-mac', 'client', 'signKey', (fx) => ({ message: msg(fx), mac: msg(fx) }), { message: req({ kind: 'b64' }), mac: { kind: 'b64' }, keyVersion: int(1, 1e9) }),
  'POST /v1/keys/{keyId}/verify': keyRoute('verify', 'client', 'signKey', (fx) => ({ message: msg(fx), signature: fx.of(OWN_TENANT).signature }), { message: { kind: 'b64' }, digest: { kind: 'digest' }, signature: req({ kind: 'b64' }), keyVersion: int(1, 1e9) }),
  'GET /v1/keys/{keyId}/public-key': { method: 'GET', path: (fx, f) => `/v1/keys/${k(fx, f, 'signKey')}/public-key`, role: 'client', query: { version: int(1, 1e9) } },
  'GET /v1/tenants/{tenantId}/jwks.json': { method: 'GET', path: (_fx, f) => `/v1/tenants/${t(f)}/jwks.json`, role: 'client' },
  'POST /v1/keys/{keyId}/encrypt': keyRoute('encrypt', 'client', 'encKey', (fx) => ({ plaintext: msg(fx) }), { plaintext: req({ kind: 'b64' }), context: ctx }),
  'POST /v1/keys/{keyId}/decrypt': keyRoute('decrypt', 'client', 'encKey', (fx) => ({ ciphertext: fx.of(OWN_TENANT).ciphertext }), { ciphertext: req({ kind: 'ciphertext' }), context: ctx }),
  'POST /v1/keys/{keyId}/rewrap': keyRoute('rewrap', 'client', 'encKey', (fx) => ({ ciphertext: fx.of(OWN_TENANT).ciphertext }), { ciphertext: req({ kind: 'ciphertext' }), context: ctx }),
  'POST /v1/keys/{keyId}/data-key': keyRoute('data-key', 'client', 'encKey', () => ({}), { context: ctx, bits: enumOf(128, 256), includePlaintext: { kind: 'bool' } }),
  'GET /api/admin/kms/status': { method: 'GET', path: () => '/api/admin/kms/status', role: 'admin', rootToken: true },
  'POST /api/admin/kms/validate': { method: 'POST', path: () => '/api/admin/kms/validate', role: 'admin', rootToken: true, body: () => ({}), fields: {} },
  'POST /api/admin/kms/rotate-all-keys': { method: 'POST', path: () => '/api/admin/kms/rotate-all-keys', role: 'admin', rootToken: true, body: () => ({}), fields: {} },
  'GET /api/admin/kms/jobs/{id}': { method: 'GET', path: () => '/api/admin/kms/jobs/rotation-job-0000', role: 'admin', rootToken: true },
  'POST /api/admin/kms/test-key-retrieval': { method: 'POST', path: () => '/api/admin/kms/test-key-retrieval', role: 'admin', body: () => ({ tenantId: OWN_TENANT }), foreignBody: () => ({ tenantId: FOREIGN_TENANT }), fields: { tenantId: req({ kind: 'id' }) } },
  'POST /api/admin/signing/freeze': { method: 'POST', path: () => '/api/admin/signing/freeze', role: 'admin', rootToken: true, body: () => ({ reason }), fields: { reason: req(text(1, 500)) } },
  'POST /api/admin/signing/resume': { method: 'POST', path: () => '/api/admin/signing/resume', role: 'admin', rootToken: true, body: () => ({}), fields: {} },
  'POST /v1/break-glass': {
    method: 'POST', path: () => '/v1/break-glass', role: 'breakglass-requester',
    body: () => ({ tenantId: OWN_TENANT, justification: reason, incidentRef: 'INC-7' }),
    foreignBody: () => ({ tenantId: FOREIGN_TENANT, justification: reason, incidentRef: 'INC-7' }),
    fields: { tenantId: { kind: 'id' }, scope: enumOf('global'), justification: req(text(20, 2000)), incidentRef: req({ kind: 'id' }), ttlMinutes: int(1, 1440) },
  },
  'GET /v1/audit/checkpoints/latest': { method: 'GET', path: () => '/v1/audit/checkpoints/latest', role: 'client', query: {} },
  'GET /v1/audit/key': { method: 'GET', path: () => '/v1/audit/key', role: 'client', query: {} },
  'GET /v1/audit/proofs/inclusion': { method: 'GET', path: () => '/v1/audit/proofs/inclusion?eventId=no-such-event', role: 'auditor', rootToken: true, query: { eventId: req({ kind: 'id' }), treeSize: int(1, Number.MAX_SAFE_INTEGER) } },
  'GET /v1/audit/proofs/consistency': { method: 'GET', path: () => '/v1/audit/proofs/consistency?from=1', role: 'auditor', rootToken: true, query: { from: req(int(1, Number.MAX_SAFE_INTEGER)), to: int(1, Number.MAX_SAFE_INTEGER) } },
  'GET /v1/audit/events': { method: 'GET', path: () => '/v1/audit/events?fromPosition=1&limit=10', role: 'auditor', rootToken: true, query: { fromPosition: int(1, Number.MAX_SAFE_INTEGER), limit: int(1, 1000) } },
  'GET /v1/break-glass': { method: 'GET', path: () => '/v1/break-glass', role: 'auditor', query: { state: enumOf('requested', 'active', 'key-lost', 'ended', 'key-destroyed') } },
  'GET /v1/break-glass/{id}': { method: 'GET', path: (fx, f) => `/v1/break-glass/${s(fx, f)}`, role: 'auditor' },
  'POST /v1/break-glass/{id}/approve': { method: 'POST', path: (fx, f) => `/v1/break-glass/${s(fx, f)}/approve`, role: 'approver-security', body: () => ({}), fields: { role: enumOf('approver-security', 'approver-finance') } },
  'POST /v1/break-glass/{id}/sign': {
    method: 'POST', path: (fx, f) => `/v1/break-glass/${s(fx, f)}/sign`, role: 'breakglass-requester',
    body: (fx) => ({ message: msg(fx), justification: reason }),
    fields: { message: { kind: 'b64' }, digest: { kind: 'digest' }, justification: req(text(1, 2000)), tenantId: { kind: 'id' } },
  },
  'POST /v1/break-glass/{id}/close': { method: 'POST', path: (fx, f) => `/v1/break-glass/${s(fx, f)}/close`, role: 'approver-finance', body: () => ({ reason }), fields: { reason: req(text(1, 2000)) } },
};
