import { randomUUID } from 'node:crypto';
import { FixedClock, InMemoryReadModels, KmsProviderError, type AppendOptions, type AppendResult, type NewEvent } from '@keyledger/kms-domain';
import { defaultResiliencePolicyOptions } from '@keyledger/resilience';
import { createKeyOperations, MemoryEmergencyKeys, type BreakGlassTelemetry, type EmergencyKeyCustody, type KeyOperations } from '../../src';
import { MemoryProvider } from './memory-provider';
import { MemoryStore } from './memory-store';

/** A store whose appends of the named event types fail (an unreachable store at the worst moment). */
export class FailingStore extends MemoryStore {
  failTypes = new Set<string>();

  override async append(streamName: string, events: readonly NewEvent[], options?: AppendOptions): Promise<AppendResult> {
    if (events.some((e) => this.failTypes.has(e.type))) throw Object.assign(new Error('store unavailable'), { code: 'STORE_UNAVAILABLE' });
    return super.append(streamName, events, options);
  }
}

/** Counts what break-glass reports. */
export class RecordingTelemetry implements BreakGlassTelemetry {
  active = -1;
  signatures = 0;
  breakglassSessionsActive(count: number): void {
    this.active = count;
  }
  breakglassSignature(): void {
    this.signatures++;
  }
}

export interface BreakGlassFixture {
  readonly ops: KeyOperations;
  readonly store: FailingStore;
  readonly provider: MemoryProvider;
  readonly clock: FixedClock;
  readonly custody: EmergencyKeyCustody;
  readonly telemetry: RecordingTelemetry;
}

/** Key operations with signer following and break-glass on the given store (a second call is a restart). */
export async function startBreakGlassOps(
  options: { store?: FailingStore; provider?: MemoryProvider; clock?: FixedClock; minOutageMinutes?: number; custody?: EmergencyKeyCustody } = {},
): Promise<BreakGlassFixture> {
  const store = options.store ?? new FailingStore();
  const provider = options.provider ?? new MemoryProvider();
  const clock = options.clock ?? new FixedClock(new Date('2025-06-01T00:00:00Z'));
  const telemetry = new RecordingTelemetry();
  const custody = options.custody ?? new MemoryEmergencyKeys();
  const ops = createKeyOperations({ readModels: new InMemoryReadModels(),
    store,
    provider,
    clock,
    ids: { next: () => randomUUID() },
    policyOptions: (name) => ({ ...defaultResiliencePolicyOptions(name), retry: { ...defaultResiliencePolicyOptions(name).retry, delayMs: 0, jitterMs: 0 } }),
    followSigners: true,
    breakGlass: { custody, minOutageMinutes: options.minOutageMinutes ?? 0, telemetry },
  });
  await ops.start();
  return { ops, store, provider, clock, custody, telemetry };
}

/** Trips the real `kms-signing-key` breaker with provider failures and waits until its opening is recorded and folded. */
export async function tripSigningBreaker(f: Pick<BreakGlassFixture, 'ops' | 'store'>): Promise<void> {
  const failing = () => Promise.reject(new KmsProviderError('KMS_UNAVAILABLE', 'injected outage', { provider: 'local', operation: 'sign' }));
  for (let i = 0; i < 100 && !f.ops.gateway.snapshots().some((s) => s.name === 'kms-signing-key' && s.state === 'open'); i++) {
    await f.ops.gateway.call('kms-signing-key', 'sign', failing).catch(() => undefined);
  }
  await f.ops.breakerRecorder.flush();
  await f.ops.views.waitFor(await f.store.headPosition());
  if (f.ops.breakGlass.outageMinutes() === null) throw new Error('the signing breaker did not open');
}
