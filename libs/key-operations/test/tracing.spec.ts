import type { ProviderTracer, RetrievalTracer } from '../src';
import { actor, startOps } from './support/fixture';

interface Recorded {
  readonly name: string;
  readonly parent: string | null;
  hit?: boolean;
  failed?: string;
}

/** Tracers that record each span with the span it ran inside (calls here are sequential). */
function recordingTracers(): { spans: Recorded[]; tracer: RetrievalTracer; providerTracer: ProviderTracer } {
  const spans: Recorded[] = [];
  let current: Recorded | null = null;
  const run = async <T>(span: Recorded, fn: () => Promise<T>): Promise<T> => {
    const outer = current;
    spans.push(span);
    current = span;
    try {
      return await fn();
    } catch (error) {
      span.failed = (error as { code?: string }).code ?? 'error';
      throw error;
    } finally {
      current = outer;
    }
  };
  return {
    spans,
    tracer: (input, fn) => {
      const span: Recorded = { name: `retrieve_${input.keyType}`, parent: current?.name ?? null };
      return run(span, () => fn({ cacheChecked: (hit) => void (span.hit = hit) }));
    },
    providerTracer: (input, fn) => run({ name: `provider.${input.operation}`, parent: current?.name ?? null }, fn),
  };
}

describe('tracing of retrievals and provider calls', () => {
  it('runs each provider call in its own span, inside the retrieval that needed it', async () => {
    const t = recordingTracers();
    const { ops } = await startOps(t);
    const { key } = await ops.lifecycle.create(actor, { tenantId: 'acme', name: 's', purpose: 'sign' });
    expect(t.spans).toEqual([{ name: 'provider.encrypt', parent: null }]);
    ops.cache.clear();
    t.spans.length = 0;
    await ops.crypto.sign('acme', key.keyId, { message: Buffer.from('m') });
    expect(t.spans).toEqual([
      { name: 'retrieve_signing', parent: null, hit: false },
      { name: 'provider.decrypt', parent: 'retrieve_signing' },
    ]);
    t.spans.length = 0;
    await ops.crypto.sign('acme', key.keyId, { message: Buffer.from('m') });
    expect(t.spans).toEqual([{ name: 'retrieve_signing', parent: null, hit: true }]);
  });

  it('a failed load still says the cache missed, and both spans carry the translated failure', async () => {
    const t = recordingTracers();
    const { ops, provider } = await startOps(t);
    const { key } = await ops.lifecycle.create(actor, { tenantId: 'acme', name: 'e', purpose: 'encrypt' });
    ops.cache.clear();
    t.spans.length = 0;
    provider.fault = 'KMS_THROTTLED';
    await expect(ops.crypto.encrypt('acme', key.keyId, Buffer.from('p'))).rejects.toMatchObject({ code: 'KMS_UNAVAILABLE' });
    expect(t.spans).toEqual([
      { name: 'retrieve_encryption', parent: null, hit: false, failed: 'KMS_UNAVAILABLE' },
      { name: 'provider.decrypt', parent: 'retrieve_encryption', failed: 'KMS_UNAVAILABLE' },
    ]);
  });
});
