import { isKmsProviderError, type KmsProvider } from '@keyledger/kms-domain';
import {
  BREAKER_NAMES,
  ResiliencePolicy,
  isBreakerOpenError,
  isResilienceError,
  isTimeoutError,
  isTransientFailure,
  type BreakerSnapshot,
  type BreakerTransition,
  type ResilienceHooks,
  type ResiliencePolicyOptions,
} from '@keyledger/resilience';
import type { KeyOperationsTelemetry, ProviderCallOutcome, ProviderTracer } from '../deps';
import { KeyOperationError } from '../errors';

/**
 * What counts against a breaker: transient failures and timeouts, an access-denied provider
 * (a revoked grant or a broken IAM policy makes it unusable for every caller, so the breaker
 * opens and readiness goes down), and a provider whose signatures do not verify (a peer that
 * hashes the digest again signs nothing usable). Neither is retried: retrying cannot fix them.
 */
const providerUnhealthy = (error: unknown): boolean =>
  isTransientFailure(error) || (isKmsProviderError(error) && (error.code === 'KMS_ACCESS_DENIED' || error.code === 'KMS_SIGNATURE_INVALID'));

/** The breaker each provider call goes through (names from the seeds). */
export type BreakerName = (typeof BREAKER_NAMES)[number];

/** How long a caller is told to wait after the provider was unreachable (no breaker figure to go by). */
export const UNAVAILABLE_RETRY_AFTER_MS = 1000;

export interface ProviderGatewayOptions {
  readonly provider: KmsProvider;
  /** Options per breaker name, e.g. from `resiliencePolicyOptionsFromEnv(name, process.env)`. */
  readonly policyOptions: (name: BreakerName) => ResiliencePolicyOptions;
  readonly telemetry: KeyOperationsTelemetry;
  readonly hooks?: Omit<ResilienceHooks, 'onTransition'>;
  readonly now?: () => number;
  /** Traces each call (retries and breaker included) as `kms.provider.<operation>`; untraced without it. */
  readonly tracer?: ProviderTracer;
}

/**
 * Every provider call of the key operations, each through the resilience policy of its breaker.
 * Maps an open breaker to CIRCUIT_OPEN and an unreachable provider (transient failure, timeout,
 * bulkhead full, deadline) to KMS_UNAVAILABLE, both with a retry-after; other provider errors pass
 * through with their own KMS_* codes. Breaker transitions go to the gauge and to listeners.
 */
export class ProviderGateway {
  readonly provider: KmsProvider;
  private readonly policies = new Map<BreakerName, ResiliencePolicy>();
  private readonly listeners = new Set<(t: BreakerTransition) => void>();
  private readonly telemetry: KeyOperationsTelemetry;
  private readonly now: () => number;
  private readonly tracer: ProviderTracer | undefined;

  constructor(options: ProviderGatewayOptions) {
    this.provider = options.provider;
    this.tracer = options.tracer;
    this.telemetry = options.telemetry;
    this.now = options.now ?? (() => performance.now());
    for (const name of BREAKER_NAMES) {
      const policy = new ResiliencePolicy(options.policyOptions(name), {
        isFailure: providerUnhealthy,
        retryOn: isTransientFailure,
        ...options.hooks,
        onTransition: (t) => this.transitioned(t),
      });
      this.policies.set(name, policy);
      this.telemetry.breakerTransition(name, 'closed');
    }
  }

  /** Runs one provider operation through the breaker `name`. */
  call<T>(name: BreakerName, operation: string, fn: (provider: KmsProvider, signal: AbortSignal) => Promise<T>): Promise<T> {
    const tracer = this.tracer;
    if (tracer === undefined) return this.run(name, operation, fn);
    return tracer({ provider: this.provider.kind, operation }, () => this.run(name, operation, fn));
  }

  private async run<T>(name: BreakerName, operation: string, fn: (provider: KmsProvider, signal: AbortSignal) => Promise<T>): Promise<T> {
    const started = this.now();
    try {
      const result = await this.policy(name).execute((signal) => fn(this.provider, signal));
      this.record(operation, 'success', started);
      return result;
    } catch (error) {
      if (!isBreakerOpenError(error)) this.record(operation, isTimeoutError(error) ? 'timeout' : 'error', started);
      throw translate(error);
    }
  }

  /** Point-in-time state of every breaker, for status and health. */
  snapshots(): BreakerSnapshot[] {
    return [...this.policies.values()].map((p) => p.breaker.snapshot());
  }

  /** The policy behind a breaker name (operators may isolate or reset its breaker). */
  policy(name: BreakerName): ResiliencePolicy {
    const policy = this.policies.get(name);
    if (!policy) throw new Error(`unknown breaker ${name}`);
    return policy;
  }

  /** Listens to breaker transitions (synchronously, on the request path: keep it to a queue push). */
  onTransition(listener: (t: BreakerTransition) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private transitioned(t: BreakerTransition): void {
    this.telemetry.breakerTransition(t.name, t.to === 'half-open' ? 'half_open' : t.to);
    for (const listener of this.listeners) listener(t);
  }

  private record(operation: string, outcome: ProviderCallOutcome, started: number): void {
    this.telemetry.providerRequest(this.provider.kind, operation, outcome, (this.now() - started) / 1000);
  }
}

/** Maps resilience rejections and transient provider failures to the API's fail-closed codes. */
export function translate(error: unknown): unknown {
  if (isBreakerOpenError(error)) {
    return new KeyOperationError('CIRCUIT_OPEN', error.message, Math.max(1000, error.retryAfterMs), { cause: error });
  }
  if (isResilienceError(error) || (isKmsProviderError(error) && error.transient)) {
    const detail = isKmsProviderError(error) ? error.code : (error as { code: string }).code;
    return new KeyOperationError('KMS_UNAVAILABLE', `The KMS provider is unavailable (${detail}); retry later`, UNAVAILABLE_RETRY_AFTER_MS, {
      cause: error,
    });
  }
  return error;
}
