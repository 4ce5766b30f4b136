import { randomBytes, randomUUID } from 'node:crypto';
import { InMemoryEventStore, LocalKmsProvider } from '@keyledger/adapters';
import { FixedClock, KmsProviderError, keyStream, type EventStore, type KmsProvider, type RecordedEvent } from '@keyledger/kms-domain';
import { defaultResiliencePolicyOptions } from '@keyledger/resilience';
import { composeSchedulerRuntime, type SchedulerRuntime } from '../../src/composition/scheduler-runtime';
import { SchedulerJobs, type JobLog, type JobRecorder, type RotationJobSettings } from '../../src/jobs/scheduler-jobs';

export const DAY_MS = 86_400_000;
export const T0 = new Date('2025-01-01T02:00:00.000Z');

/** The local provider (real AES-GCM wrapping, master key from memory) with a switch that makes every call fail. */
export class SwitchableProvider implements KmsProvider {
  down = false;
  calls = 0;
  constructor(private readonly inner: KmsProvider) {}
  get kind() {
    return this.inner.kind;
  }
  get masterKeyId() {
    return this.inner.masterKeyId;
  }
  private gate<T>(operation: string, call: () => Promise<T>): Promise<T> {
    this.calls++;
    if (this.down) return Promise.reject(new KmsProviderError('KMS_UNAVAILABLE', 'provider unreachable (test outage)', { provider: 'local', operation }));
    return call();
  }
  generateDataKey: KmsProvider['generateDataKey'] = (c, o) => this.gate('generate_data_key', () => this.inner.generateDataKey(c, o));
  encrypt: KmsProvider['encrypt'] = (p, c, o) => this.gate('encrypt', () => this.inner.encrypt(p, c, o));
  decrypt: KmsProvider['decrypt'] = (w, c, o) => this.gate('decrypt', () => this.inner.decrypt(w, c, o));
  createAsymmetricKey: KmsProvider['createAsymmetricKey'] = (s, o) => this.gate('create_key', () => this.inner.createAsymmetricKey(s, o));
  destroyKey: KmsProvider['destroyKey'] = (k, o) => this.gate('destroy_key', () => this.inner.destroyKey(k, o));
  sign: KmsProvider['sign'] = (k, d, a, o) => this.gate('sign', () => this.inner.sign(k, d, a, o));
  getPublicKey: KmsProvider['getPublicKey'] = (k, o) => this.gate('get_public_key', () => this.inner.getPublicKey(k, o));
  describeKey: KmsProvider['describeKey'] = (k, o) => this.gate('describe_key', () => this.inner.describeKey(k, o));
  healthProbe: KmsProvider['healthProbe'] = (o) => this.gate('health', () => this.inner.healthProbe(o));
  close: KmsProvider['close'] = () => this.inner.close();
}

export async function localProvider(): Promise<SwitchableProvider> {
  const inner = await LocalKmsProvider.create({ masterKeyBase64: randomBytes(32).toString('base64'), warn: () => undefined });
  return new SwitchableProvider(inner);
}

/** Instant retries and a breaker that half-opens after 20 ms, so runs after an outage are not held up by wall-clock time. */
export const fastPolicies = (name: string) => {
  const d = defaultResiliencePolicyOptions(name);
  return { ...d, retry: { ...d.retry, maxRetries: 1, delayMs: 0, jitterMs: 0 }, breaker: { ...d.breaker, delayMs: 20, successThreshold: 1 } };
};

/** Counts what the jobs report, in place of the Prometheus recorder. */
export class CountingRecorder implements JobRecorder {
  outcomes = { rotated: 0, skipped: 0, failed: 0 };
  lastCompleted = 0;
  overdue = -1;
  durations: number[] = [];
  active = 0;
  rotationOutcome(o: 'rotated' | 'skipped' | 'failed') {
    this.outcomes[o]++;
  }
  rotationRunDuration(s: number) {
    this.durations.push(s);
  }
  rotationCompleted(at: number) {
    this.lastCompleted = at;
  }
  keysRotationOverdue(n: number) {
    this.overdue = n;
  }
  breakglassSessionsActive(n: number) {
    this.active = n;
  }
}

export const quietLog: JobLog = { info: () => undefined, error: () => undefined };

export interface SchedulerUnderTest {
  readonly runtime: SchedulerRuntime;
  readonly jobs: SchedulerJobs;
  readonly recorder: CountingRecorder;
}

/** One scheduler instance (its own views and use cases) on a shared store, provider and clock. */
export async function schedulerOn(store: EventStore, provider: KmsProvider, clock: FixedClock, settings: Partial<RotationJobSettings> = {}): Promise<SchedulerUnderTest> {
  const runtime = await composeSchedulerRuntime({ store, provider, clock, ids: { next: () => randomUUID() }, policyOptions: fastPolicies, owned: false, instance: 'test' });
  const recorder = new CountingRecorder();
  const jobs = new SchedulerJobs(runtime, { maxAgeDays: 90, ...settings }, recorder, quietLog);
  return { runtime, jobs, recorder };
}

export function newWorld(): { store: InMemoryEventStore; clock: FixedClock } {
  return { store: new InMemoryEventStore(), clock: new FixedClock(T0) };
}

export const actor = { subject: 'user:test', correlationId: 'test' };

/** Lifecycle events of one key's stream. */
export async function keyEvents(store: EventStore, tenantId: string, keyId: string): Promise<readonly RecordedEvent[]> {
  return store.readStream(keyStream(tenantId, keyId));
}
