import { metricCatalogue } from '@keyledger/observability';
import { DRILL_TOKENS, call, scrape, sleep, startKeyledgerStack, total, type KeyledgerStack } from './drill/keyledger-stack';

jest.setTimeout(240_000);

const T = 'drill';
const b64 = (s: string): string => Buffer.from(s).toString('base64');
const ctx = { purpose: 'metrics-e2e' };

/**
 * Drives the built API on the AWS provider through kms-test-server, faults included, and reads its
 * /metrics after each step: every catalogue metric the API records moves, by the amount the step
 * implies. (The scheduler's rotation metrics are covered by the alert drill and the scheduler's tests.)
 */
describe('catalogue metrics through the API and kms-test-server', () => {
  let stack: KeyledgerStack;
  let url: string;
  const admin = (method: string, route: string, body?: unknown) => call(url, DRILL_TOKENS.admin, method, route, body);
  const moved = new Set<string>();

  let last = new Map<string, number>();
  /** Scrapes the API and notes every metric whose value changed since the previous scrape. */
  async function look(): Promise<Map<string, number>> {
    const now = await scrape(url);
    for (const [key, value] of now) if (value !== (last.get(key) ?? 0)) moved.add(key.replace(/\{.*$/, '').replace(/_(bucket|sum|count)$/, ''));
    last = now;
    return now;
  }

  /** Scrapes around `step`, returning a function that reads a series' change. */
  async function around(step: () => Promise<void>): Promise<(name: string, labels?: Record<string, string>) => number> {
    const before = await look();
    await step();
    const after = await look();
    return (name, labels = {}) => total(after, name, labels) - total(before, name, labels);
  }

  async function createKey(name: string, purpose: 'sign' | 'encrypt'): Promise<string> {
    const created = await admin('POST', '/v1/keys', { tenantId: T, name, purpose });
    expect(created.status).toBe(201);
    return created.body['keyId'] as string;
  }

  beforeAll(async () => {
    stack = await startKeyledgerStack({ env: { KMS_CACHE_MAX_SIZE: '2', BREAKGLASS_MIN_OUTAGE_MINUTES: '0', METRICS_TENANT_LABEL: 'true' } });
    url = stack.api.url;
    last = await scrape(url);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  let signKey: string;
  let sealKey: string;

  it('times every event store append and exports the status views lag', async () => {
    let headBefore = 0;
    let headAfter = 0;
    const delta = await around(async () => {
      headBefore = ((await admin('GET', '/api/admin/kms/status')).body['event_store'] as { head_position: number }).head_position;
      signKey = await createKey('signer', 'sign');
      sealKey = await createKey('sealer', 'encrypt');
      headAfter = ((await admin('GET', '/api/admin/kms/status')).body['event_store'] as { head_position: number }).head_position;
    });
    const appends = delta('eventstore_append_seconds_count', { store: 'embedded' });
    expect(appends).toBeGreaterThanOrEqual(2);
    expect(appends).toBeLessThanOrEqual(headAfter - headBefore);
    expect(delta('kms_provider_requests_total', { provider: 'aws', operation: 'encrypt', outcome: 'success' })).toBe(2);
    const now = await look();
    expect(now.get('eventstore_projection_lag_events{projection="key-status"}')).toBe(0);
  });

  it('counts each crypto operation once by outcome, and each retrieval as one cache hit or miss', async () => {
    let sealed = '';
    let signature = '';
    const delta = await around(async () => {
      for (let i = 0; i < 3; i++) {
        const r = await admin('POST', `/v1/keys/${signKey}/sign`, { message: b64(`m${i}`) });
        expect(r.status).toBe(200);
        signature = r.body['signature'] as string;
      }
      expect((await admin('POST', `/v1/keys/${signKey}/verify`, { message: b64('m2'), signature })).body['valid']).toBe(true);
      const e = await admin('POST', `/v1/keys/${sealKey}/encrypt`, { plaintext: b64('secret'), context: ctx });
      sealed = e.body['ciphertext'] as string;
      expect((await admin('POST', `/v1/keys/${sealKey}/decrypt`, { ciphertext: sealed, context: ctx })).status).toBe(200);
      expect((await admin('POST', `/v1/keys/${sealKey}/rewrap`, { ciphertext: sealed, context: ctx })).status).toBe(200);
      expect((await admin('POST', `/v1/keys/${sealKey}/data-key`, { bits: 256, context: ctx })).status).toBe(200);
      expect((await admin('GET', `/v1/keys/${signKey}/public-key`)).status).toBe(200);
      expect((await admin('GET', `/v1/tenants/${T}/jwks.json`)).status).toBe(200);
      expect((await admin('POST', '/api/admin/kms/test-key-retrieval', { tenantId: T })).status).toBe(200);
      // Refused before any operation (schema): not an operation, not an operation error.
      expect((await admin('POST', `/v1/keys/${signKey}/sign`, { message: 'not base64!' })).status).toBe(400);
    });
    const ops = (operation: string, outcome = 'success') => delta('kms_operations_total', { operation, outcome });
    expect([ops('sign'), ops('verify'), ops('encrypt'), ops('decrypt'), ops('rewrap'), ops('data_key'), ops('public_key'), ops('jwks'), ops('test_key_retrieval')]).toEqual([3, 1, 1, 1, 1, 1, 1, 1, 1]);
    expect(delta('kms_operations_total', { outcome: 'error' }) + delta('kms_operations_total', { outcome: 'refused' })).toBe(0);
    expect(delta('kms_errors_total')).toBe(0);
    // Public keys of registered versions come from the signer registry, without a retrieval.
    expect([delta('kms_retrieve_signing_key_total') > 0, delta('kms_retrieve_encryption_key_total') > 0]).toEqual([true, true]);
    for (const keyType of ['signing', 'public', 'encryption']) {
      const retrievals = delta(`kms_retrieve_${keyType}_key_total`);
      expect(delta(`kms_retrieve_${keyType}_key_seconds_count`)).toBe(retrievals);
      expect(delta('kms_cache_hit_total', { key_type: keyType }) + delta('kms_cache_miss_total', { key_type: keyType })).toBe(retrievals);
    }
    // Every miss is one unwrap at the provider (public keys come from the unwrapped private key or the signer registry).
    const misses = delta('kms_cache_miss_total');
    expect(delta('kms_provider_requests_total', { operation: 'decrypt', outcome: 'success' })).toBeLessThanOrEqual(misses);
    expect(delta('kms_provider_request_seconds_count')).toBe(delta('kms_provider_requests_total'));
    // A cache of two entries holding signing, public and encryption keys has evicted.
    expect(delta('kms_cache_evictions_total')).toBeGreaterThanOrEqual(1);
    expect((await look()).get('kms_cache_size')).toBeLessThanOrEqual(2);
  });

  it('counts a black-holed provider as errors, then an open breaker as refusals, by code and tenant', async () => {
    const coldSeal = await createKey('cold-sealer', 'encrypt');
    const coldSign = await createKey('cold-signer', 'sign');
    stack.kms.faults.set({ mode: 'black-hole' });
    const codes: string[] = [];
    let validate: Record<string, unknown> = {};
    const delta = await around(async () => {
      for (let i = 0; i < 8; i++) {
        const r = await admin('POST', `/v1/keys/${coldSeal}/encrypt`, { plaintext: b64('x'), context: ctx });
        expect(r.status).toBe(503);
        codes.push((r.body['error'] as { code: string }).code);
      }
      for (let i = 0; i < 6; i++) expect((await admin('POST', `/v1/keys/${coldSign}/sign`, { message: b64('x') })).status).toBe(503);
      validate = (await admin('POST', '/api/admin/kms/validate', {})).body;
    });
    const refused = codes.filter((c) => c === 'CIRCUIT_OPEN').length;
    expect(refused).toBeGreaterThan(0);
    expect(refused).toBeLessThan(8);
    expect(delta('kms_operations_total', { operation: 'encrypt', outcome: 'refused' })).toBe(refused);
    expect(delta('kms_operations_total', { operation: 'encrypt', outcome: 'error' })).toBe(8 - refused);
    expect(delta('kms_errors_total', { operation: 'encrypt', tenant_id: T, code: 'CIRCUIT_OPEN' })).toBe(refused);
    expect(delta('kms_errors_total', { operation: 'encrypt', tenant_id: T })).toBe(8);
    expect(delta('kms_errors_total', { operation: 'sign', tenant_id: T })).toBe(6);
    expect(validate['status']).toBe('FAIL');
    expect(delta('kms_operations_total', { operation: 'validate' })).toBe(1);
    expect(delta('kms_errors_total', { operation: 'validate', tenant_id: '' })).toBe(1);
    expect(delta('kms_provider_requests_total', { provider: 'aws', outcome: 'timeout' })).toBeGreaterThanOrEqual(8 - refused);
    expect(delta('circuit_breaker_transitions_total', { name: 'kms-encryption-key', to: 'open' })).toBeGreaterThanOrEqual(1);
    expect(delta('circuit_breaker_transitions_total', { name: 'kms-signing-key', to: 'open' })).toBeGreaterThanOrEqual(1);
    const now = await look();
    expect(now.get('circuit_breaker_state{name="kms-encryption-key"}')).not.toBe(0);
  });

  it('counts break-glass calls and emergency signatures, the freeze gauge and freeze refusals, during the outage', async () => {
    let sessionId = '';
    const requester = (route: string, body: unknown) => call(url, DRILL_TOKENS.requester, 'POST', route, body);
    // The breaker transition events are recorded off the request path; the outage must be on record first.
    const deadline = Date.now() + 10_000;
    let requested = await requester('/v1/break-glass', { tenantId: T, justification: 'signing provider black-holed in the drill', incidentRef: 'INC-42', ttlMinutes: 30 });
    while (requested.status === 409 && Date.now() < deadline) {
      await sleep(200);
      requested = await requester('/v1/break-glass', { tenantId: T, justification: 'signing provider black-holed in the drill', incidentRef: 'INC-42', ttlMinutes: 30 });
    }
    expect(requested.status).toBe(201);
    sessionId = requested.body['sessionId'] as string;
    const delta = await around(async () => {
      expect((await call(url, DRILL_TOKENS.security, 'POST', `/v1/break-glass/${sessionId}/approve`, {})).status).toBe(200);
      expect((await call(url, DRILL_TOKENS.finance, 'POST', `/v1/break-glass/${sessionId}/approve`, {})).status).toBe(200);
      expect((await look()).get('breakglass_sessions_active')).toBe(1);
      expect((await requester(`/v1/break-glass/${sessionId}/sign`, { message: b64('release 1.2.3'), justification: 'hotfix release during the outage', tenantId: T })).status).toBe(200);
      expect((await requester(`/v1/break-glass/${sessionId}/close`, { reason: 'provider back' })).status).toBe(200);
      expect((await admin('POST', '/api/admin/signing/freeze', { reason: 'drill' })).status).toBe(200);
      expect((await look()).get('signing_frozen')).toBe(1);
      expect((await admin('POST', `/v1/keys/${signKey}/sign`, { message: b64('frozen') })).status).toBe(503);
      expect((await admin('POST', '/api/admin/signing/resume', {})).status).toBe(200);
    });
    expect(delta('kms_operations_total', { operation: 'breakglass_approve', outcome: 'success' })).toBe(2);
    expect(delta('kms_operations_total', { operation: 'breakglass_sign', outcome: 'success' })).toBe(1);
    expect(delta('kms_operations_total', { operation: 'breakglass_close', outcome: 'success' })).toBe(1);
    expect(delta('breakglass_signatures_total')).toBe(1);
    expect(delta('kms_operations_total', { operation: 'sign', outcome: 'refused' })).toBe(1);
    expect(delta('kms_errors_total', { operation: 'sign', tenant_id: T, code: 'SIGNING_FROZEN' })).toBe(1);
    const now = await look();
    expect(now.get('breakglass_sessions_active')).toBe(0);
    expect(now.get('signing_frozen')).toBe(0);
  });

  it('closes the breakers after recovery (half-open, then closed) and every API-side catalogue metric has moved', async () => {
    stack.kms.faults.clear();
    const delta = await around(async () => {
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline) {
        const s = await look();
        if (s.get('circuit_breaker_state{name="kms-encryption-key"}') === 0 && s.get('circuit_breaker_state{name="kms-signing-key"}') === 0) break;
        await admin('POST', '/api/admin/kms/validate', {});
        await sleep(300);
      }
    });
    expect(delta('circuit_breaker_transitions_total', { to: 'half_open' })).toBeGreaterThanOrEqual(1);
    expect(delta('circuit_breaker_transitions_total', { to: 'closed' })).toBeGreaterThanOrEqual(2);
    expect(delta('kms_operations_total', { operation: 'validate', outcome: 'success' })).toBeGreaterThanOrEqual(1);
    // What the API records: the whole catalogue but the scheduler's rotation figures and the lag gauge, which stays 0 while the views keep up.
    const schedulerOnly = ['kms_last_rotation_timestamp_seconds', 'kms_keys_rotation_overdue', 'kms_rotations_total', 'kms_rotation_run_duration_seconds', 'eventstore_projection_lag_events', 'audit_witness_cosignatures_total', 'audit_witness_up'];
    const expected = Object.values(metricCatalogue()).map((d) => d.name).filter((n) => !schedulerOnly.includes(n));
    expect(expected.filter((n) => !moved.has(n))).toEqual([]);
  });
});
