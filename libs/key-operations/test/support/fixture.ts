import { randomUUID } from 'node:crypto';
import { FixedClock, InMemoryReadModels } from '@keyledger/kms-domain';
import { defaultResiliencePolicyOptions } from '@keyledger/resilience';
import { createKeyOperations, type KeyOperations, type KeyOperationsTelemetry } from '../../src';
import { MemoryProvider } from './memory-provider';
import { MemoryStore } from './memory-store';

export const actor = { subject: 'user:test', correlationId: 'req-1' };

/**
 * Key operations on the in-memory store and provider, started. Retries are instant; a rotate-all
 * job's sleeps move the fixed clock instead of waiting.
 */
export async function startOps(options: { readonly telemetry?: KeyOperationsTelemetry } = {}): Promise<{ ops: KeyOperations; store: MemoryStore; provider: MemoryProvider; clock: FixedClock }> {
  const store = new MemoryStore();
  const provider = new MemoryProvider();
  const clock = new FixedClock(new Date('2025-06-01T00:00:00Z'));
  const ops = createKeyOperations({ readModels: new InMemoryReadModels(),
    store,
    provider,
    clock,
    ids: { next: () => randomUUID() },
    policyOptions: (name) => ({ ...defaultResiliencePolicyOptions(name), retry: { ...defaultResiliencePolicyOptions(name).retry, delayMs: 0, jitterMs: 0 } }),
    rotationJobs: { sleep: async (ms) => clock.advance(ms) },
    telemetry: options.telemetry,
  });
  await ops.start();
  return { ops, store, provider, clock };
}
