import { SpanStatusCode, type Span, type Tracer } from '@opentelemetry/api';
import { performance } from 'node:perf_hooks';
import type { KeyType } from '../metrics/kms-metrics';
import { describeError } from '../redaction/scrub';

/** The retrieval spans the seeds name. */
export type KmsSpanName = 'kms.retrieve_signing_key' | 'kms.retrieve_public_key' | 'kms.retrieve_encryption_key';

/** The span a retrieval of each key type runs in. */
export const RETRIEVAL_SPAN: Readonly<Record<KeyType, KmsSpanName>> = {
  signing: 'kms.retrieve_signing_key',
  public: 'kms.retrieve_public_key',
  encryption: 'kms.retrieve_encryption_key',
};

/** What a traced function may add to its span while it runs: only these fields, never payloads. */
export interface KmsSpanRecorder {
  /** The cache was consulted, with this result. */
  cacheChecked(hit: boolean): void;
}

/** Identifies the call a retrieval span covers. */
export interface RetrievalSpanInput {
  readonly tenantId: string;
  readonly keyType: KeyType;
}

/** Identifies one call to a KMS provider (span `kms.provider.<operation>`). */
export interface ProviderSpanInput {
  readonly provider: string;
  /** A fixed operation name such as `generate_data_key` or `sign`. */
  readonly operation: string;
  readonly tenantId?: string;
}

type Clock = () => number;

/**
 * Runs `fn` inside an active `kms.retrieve_*` span with `tenant.id`, `key.type`, the cache
 * fields it reports, `latency.ms`, and on failure `error` and a scrubbed `error.message`.
 * The error is rethrown unchanged.
 */
export function inRetrievalSpan<T>(
  tracer: Tracer,
  input: RetrievalSpanInput,
  fn: (recorder: KmsSpanRecorder) => Promise<T>,
  clock: Clock = () => performance.now(),
): Promise<T> {
  const attributes = { 'tenant.id': input.tenantId, 'key.type': input.keyType, 'cache.checked': false };
  return runInSpan(tracer, RETRIEVAL_SPAN[input.keyType], attributes, fn, clock);
}

/** Runs one provider call inside a `kms.provider.<operation>` span (child of the active span). */
export function inProviderSpan<T>(
  tracer: Tracer,
  input: ProviderSpanInput,
  fn: () => Promise<T>,
  clock: Clock = () => performance.now(),
): Promise<T> {
  const attributes: Record<string, string> = { 'kms.provider': input.provider, 'kms.operation': input.operation };
  if (input.tenantId !== undefined) attributes['tenant.id'] = input.tenantId;
  return runInSpan(tracer, `kms.provider.${input.operation}`, attributes, () => fn(), clock);
}

function runInSpan<T>(
  tracer: Tracer,
  name: string,
  attributes: Record<string, string | boolean>,
  fn: (recorder: KmsSpanRecorder) => Promise<T>,
  clock: Clock,
): Promise<T> {
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    const started = clock();
    const recorder: KmsSpanRecorder = {
      cacheChecked: (hit) => span.setAttributes({ 'cache.checked': true, 'cache.hit': hit }),
    };
    try {
      const result = await fn(recorder);
      finish(span, started, clock);
      return result;
    } catch (err) {
      span.setAttributes({ error: true, 'error.message': describeError(err) });
      span.setStatus({ code: SpanStatusCode.ERROR });
      finish(span, started, clock);
      throw err;
    }
  });
}

function finish(span: Span, started: number, clock: Clock): void {
  span.setAttribute('latency.ms', Math.round((clock() - started) * 1000) / 1000);
  span.end();
}
