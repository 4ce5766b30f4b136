import { createPrivateKey, generateKeyPairSync, randomBytes, sign, verify, timingSafeEqual } from 'node:crypto';
import { KeyNotFoundError, authorizeKeyUse, type ExistingKeyState, type RotationJobView } from '@keyledger/kms-domain';
import type { Actor, KeyOperationsPorts } from '../deps';
import type { KeyRetrieval } from '../crypto/key-retrieval';
import type { ProviderGateway } from '../provider/provider-gateway';
import type { KeyViews } from '../views/key-views';
import type { SigningFreezeOperations } from './signing-freeze-operations';
import type { RotationJobs } from '../rotation-jobs/rotation-jobs';

export type StepStatus = 'PASS' | 'FAIL';
export interface ValidationStep {
  readonly status: StepStatus;
  readonly latency_ms: number;
  readonly error?: string;
}

/** Answer of POST /api/admin/kms/validate (names as the troubleshooting guide reads them). */
export interface ValidationReport {
  readonly status: StepStatus;
  readonly provider: string;
  readonly tests: Readonly<Record<string, ValidationStep>>;
  readonly latency_ms: Readonly<Record<string, number>>;
}

const VALIDATE_CONTEXT = { purpose: 'keyledger-admin-validate' } as const;

/** Admin use cases behind /api/admin/kms/*: status, validation round trips, key retrieval test, rotate-all jobs. */
export class AdminOperations {
  constructor(
    private readonly ports: KeyOperationsPorts,
    private readonly gateway: ProviderGateway,
    private readonly views: KeyViews,
    private readonly retrieval: KeyRetrieval,
    private readonly jobs: RotationJobs,
    private readonly freeze: SigningFreezeOperations,
    private readonly providerWarning: string | null,
  ) {}

  /** Provider, cache, breakers, freeze, key counts, overdue rotations and view lag. */
  async status(extra: Readonly<Record<string, unknown>> = {}): Promise<Record<string, unknown>> {
    const now = this.ports.clock.now();
    const counts = this.views.models.keys.counts();
    const cache = this.retrieval.cache.stats();
    return {
      provider: this.gateway.provider.kind,
      provider_warning: this.providerWarning,
      master_key_id: this.gateway.provider.masterKeyId,
      cache_size: cache.size,
      cache_hit_rate: cache.hitRate,
      cache: { size: cache.size, max_size: cache.maxSize, hits: cache.hits, misses: cache.misses, hit_rate: cache.hitRate },
      breakers: this.gateway.snapshots().map((s) => ({ name: s.name, state: s.state, state_value: s.stateValue, isolated: s.isolated, retry_after_ms: s.retryAfterMs })),
      signing_freeze: this.freeze.status(),
      keys: { total: counts.total, by_status: counts.byStatus, rotation_overdue: this.views.models.keys.overdueCount(now, undefined) },
      event_store: { head_position: await this.ports.store.headPosition(), views_position: this.views.appliedPosition() },
      projection_lag: await this.views.lag(),
      ...extra,
    };
  }

  /** Real round trips through the provider: generate data key, encrypt, decrypt, sign, verify. */
  async validate(): Promise<ValidationReport> {
    const tests: Record<string, ValidationStep> = {};
    const step = async <T>(name: string, fn: () => Promise<T>): Promise<T | undefined> => {
      const started = performance.now();
      try {
        const value = await fn();
        tests[name] = { status: 'PASS', latency_ms: round(performance.now() - started) };
        return value;
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        tests[name] = { status: 'FAIL', latency_ms: round(performance.now() - started), error: typeof code === 'string' ? code : 'UNEXPECTED' };
        return undefined;
      }
    };
    const g = this.gateway;
    await step('generate_data_key', () => g.call('kms-encryption-key', 'generate_data_key', (p, signal) => p.generateDataKey(VALIDATE_CONTEXT, { signal })));
    const secret = randomBytes(32);
    const blob = await step('encrypt', () => g.call('kms-encryption-key', 'encrypt', (p, signal) => p.encrypt(secret, VALIDATE_CONTEXT, { signal })));
    await step('decrypt', async () => {
      if (!blob) throw Object.assign(new Error('nothing to decrypt'), { code: 'SKIPPED' });
      const back = await g.call('kms-encryption-key', 'decrypt', (p, signal) => p.decrypt(blob, VALIDATE_CONTEXT, { signal }));
      if (back.length !== secret.length || !timingSafeEqual(Buffer.from(back), secret)) throw Object.assign(new Error('mismatch'), { code: 'ROUND_TRIP_MISMATCH' });
    });
    const message = randomBytes(32);
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256', privateKeyEncoding: { type: 'pkcs8', format: 'der' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
    const signature = await step('sign', async () => {
      const wrapped = await g.call('kms-signing-key', 'encrypt', (p, signal) => p.encrypt(pair.privateKey, VALIDATE_CONTEXT, { signal }));
      const der = Buffer.from(await g.call('kms-signing-key', 'decrypt', (p, signal) => p.decrypt(wrapped, VALIDATE_CONTEXT, { signal })));
      const key = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
      der.fill(0);
      return sign('sha256', message, key);
    });
    pair.privateKey.fill(0);
    await step('verify', async () => {
      if (!signature || !verify('sha256', message, pair.publicKey, signature)) throw Object.assign(new Error('invalid'), { code: 'SIGNATURE_INVALID' });
    });
    const latency: Record<string, number> = {};
    for (const [name, s] of Object.entries(tests)) latency[name] = s.latency_ms;
    const status = Object.values(tests).every((s) => s.status === 'PASS') ? 'PASS' : 'FAIL';
    return { status, provider: g.provider.kind, tests, latency_ms: latency };
  }

  /** Retrieves a tenant's primary key through the cache (signing keys first), timing it. */
  async testKeyRetrieval(tenantId: string): Promise<Record<string, unknown>> {
    const key = this.firstEnabledKey(tenantId);
    if (!key) throw new KeyNotFoundError({ tenantId, keyId: '*' });
    const started = performance.now();
    const hit = await this.retrievePrimary(key);
    return { status: 'success', tenantId, keyId: key.keyId, keyVersion: key.primaryVersion, latency_ms: round(performance.now() - started), cache_hit: hit };
  }

  /**
   * Starts the rotate-all job (every Enabled key, reason `manual`, paced) and answers at once with
   * it; while a job runs on any instance, answers with that one instead of starting another.
   */
  rotateAll(actor: Actor): Promise<RotationJobView> {
    return this.jobs.start(actor);
  }

  /** A rotate-all job's progress; ROTATION_JOB_NOT_FOUND for an unknown id. */
  rotationJob(jobId: string): Promise<RotationJobView> {
    return this.jobs.get(jobId);
  }

  /** Loads the primary versions of the `count` most recently rotated enabled keys into the cache. */
  async warmUp(count: number): Promise<{ warmed: number; failed: number }> {
    const keys = this.views.models.keys.recentlyRotated(count);
    let warmed = 0;
    for (const key of keys) {
      await this.retrievePrimary(key).then(
        () => warmed++,
        () => undefined,
      );
    }
    return { warmed, failed: keys.length - warmed };
  }

  /**
   * The tenant's first enabled key, signing keys first, by key id: one page of the tenant's keys at
   * a time, stopping at the first signing key.
   */
  private firstEnabledKey(tenantId: string): ExistingKeyState | undefined {
    let other: ExistingKeyState | undefined;
    let cursor: string | null = null;
    do {
      const page = this.views.models.keys.listTenant(tenantId, { limit: 500, cursor });
      for (const key of page.items) {
        if (key.status !== 'Enabled') continue;
        if (key.purpose === 'sign') return key;
        other ??= key;
      }
      cursor = page.next;
    } while (cursor !== null);
    return other;
  }

  private async retrievePrimary(key: ExistingKeyState): Promise<boolean> {
    const operation = key.purpose === 'sign' ? 'sign' : 'encrypt';
    const version = authorizeKeyUse(key, { tenantId: key.tenantId, keyId: key.keyId, operation });
    if (key.purpose === 'encrypt') return (await this.retrieval.secret(key, version)).hit;
    if (version.material.mode === 'provider-resident') return (await this.retrieval.public(key, version)).hit;
    return (await this.retrieval.signing(key, version)).hit;
  }
}

const round = (ms: number): number => Math.round(ms * 100) / 100;
