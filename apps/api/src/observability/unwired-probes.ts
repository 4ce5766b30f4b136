import type { EventStoreHealthProbe, KmsHealthProbe } from '@keyledger/observability';

/** Raised by a readiness probe whose adapter is not part of this build yet. */
export class ProbeNotWiredError extends Error {
  readonly code = 'PROBE_NOT_WIRED';
  constructor(what: string) {
    super(`${what} is not wired into this build, so readiness cannot be confirmed`);
    this.name = 'ProbeNotWiredError';
  }
}

/**
 * The API's probes until the provider and event-store adapters supply real ones: they name the
 * configured provider and store and fail, so /health/ready says "not ready" instead of guessing.
 */
export function unwiredKmsProbe(provider: string): KmsHealthProbe {
  return {
    provider,
    check: () => Promise.reject(new ProbeNotWiredError(`the "${provider}" KMS provider adapter`)),
  };
}

export function unwiredEventStoreProbe(store: string): EventStoreHealthProbe {
  return {
    store,
    check: () => Promise.reject(new ProbeNotWiredError(`the "${store}" event store adapter`)),
  };
}
