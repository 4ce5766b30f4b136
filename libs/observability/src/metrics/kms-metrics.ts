import { DEFAULT_CATALOGUE_OPTIONS, type CatalogueOptions } from './catalogue';
import type { CatalogueMetrics } from './catalogue-metrics';

/** The three kinds of key the cache and retrieval metrics distinguish. */
export type KeyType = 'signing' | 'public' | 'encryption';
export const KEY_TYPES: readonly KeyType[] = ['signing', 'public', 'encryption'];

/** How a keyledger operation ended: served, failed, or refused on purpose (freeze, open breaker). */
export type OperationOutcome = 'success' | 'error' | 'refused';
/** How a call to the provider ended; calls short-circuited by the breaker never reach it. */
export type ProviderOutcome = 'success' | 'error' | 'timeout';
export type BreakerState = 'closed' | 'open' | 'half_open';
/** How a rotation run ended for one key. */
export type RotationOutcomeLabel = 'rotated' | 'skipped' | 'failed';
export const ROTATION_OUTCOMES: readonly RotationOutcomeLabel[] = ['rotated', 'skipped', 'failed'];

/** Gauge values of `circuit_breaker_state`, as the seed runbooks document them. */
export const BREAKER_STATE_VALUE: Readonly<Record<BreakerState, number>> = { closed: 0, open: 1, half_open: 2 };

const MAX_LABEL_LENGTH = 64;

/**
 * Values the process knows at any moment, read when Prometheus scrapes instead of pushed on every
 * change: the status views' lag behind the store head, and the signing freeze (which another
 * instance may set; the views carry it here).
 */
export interface ScrapeSources {
  /** Events each projection is behind the store head, by projection name (e.g. `key-status`). */
  readonly projectionLag?: () => Promise<Readonly<Record<string, number>>>;
  readonly signingFrozen?: () => boolean;
}

/** The `projection` label of the key status views' lag (KeyViews). */
export const KEY_STATUS_PROJECTION = 'key-status';

type Collectable = { collect?: () => void | Promise<void> };

/**
 * Typed recorder over the catalogue: call sites say what happened, this decides which series
 * move. Label values are fixed names chosen by code (operation, provider, error code) or a tenant
 * id; never pass request payloads.
 */
/** Outcomes of a witness cosignature request (`audit_witness_cosignatures_total`). */
export const WITNESS_OUTCOMES = ['cosigned', 'already', 'unreachable', 'rejected', 'ahead', 'bad-answer'] as const;

export class KmsMetrics {
  constructor(
    private readonly m: CatalogueMetrics,
    private readonly options: CatalogueOptions = DEFAULT_CATALOGUE_OPTIONS,
  ) {
    for (const keyType of KEY_TYPES) {
      m.cacheHitTotal.inc({ key_type: keyType }, 0);
      m.cacheMissTotal.inc({ key_type: keyType }, 0);
    }
    for (const outcome of ROTATION_OUTCOMES) m.rotationsTotal.inc({ outcome }, 0);
  }

  /** One key retrieval of the given type and how long it took (cache hit or provider call). */
  retrieval(keyType: KeyType, seconds: number): void {
    const [histogram, total] = this.retrievalMetrics(keyType);
    histogram.observe(seconds);
    total.inc();
  }

  cacheHit(keyType: KeyType): void {
    this.m.cacheHitTotal.inc({ key_type: keyType });
  }

  cacheMiss(keyType: KeyType): void {
    this.m.cacheMissTotal.inc({ key_type: keyType });
  }

  cacheSize(entries: number): void {
    this.m.cacheSize.set(entries);
  }

  cacheEvicted(count = 1): void {
    this.m.cacheEvictionsTotal.inc(count);
  }

  /** A failed operation; the tenant label is dropped when the catalogue was built without it. */
  error(operation: string, code: string, tenantId: string): void {
    const labels = this.options.tenantLabel
      ? { operation: label(operation), tenant_id: label(tenantId), code: label(code) }
      : { operation: label(operation), code: label(code) };
    this.m.errorsTotal.inc(labels);
  }

  /** One call to the provider: counted by outcome and timed. */
  providerRequest(provider: string, operation: string, outcome: ProviderOutcome, seconds: number): void {
    this.m.providerRequestsTotal.inc({ provider: label(provider), operation: label(operation), outcome });
    this.m.providerRequestSeconds.observe({ provider: label(provider), operation: label(operation) }, seconds);
  }

  operation(operation: string, outcome: OperationOutcome): void {
    this.m.operationsTotal.inc({ operation: label(operation), outcome });
  }

  /** Sets a breaker's current state without counting a transition (start-up, re-sync). */
  breakerState(name: string, state: BreakerState): void {
    this.m.circuitBreakerState.set({ name: label(name) }, BREAKER_STATE_VALUE[state]);
  }

  /** A breaker changed state: the gauge follows and the transition is counted. */
  breakerTransition(name: string, to: BreakerState): void {
    this.breakerState(name, to);
    this.m.circuitBreakerTransitionsTotal.inc({ name: label(name), to });
  }

  rotationCompleted(atUnixSeconds: number): void {
    this.m.lastRotationTimestampSeconds.set(atUnixSeconds);
  }

  keysRotationOverdue(count: number): void {
    this.m.keysRotationOverdue.set(count);
  }

  /** One key handled by a rotation run: rotated, skipped (not due any more, raced) or failed. */
  rotationOutcome(outcome: RotationOutcomeLabel): void {
    this.m.rotationsTotal.inc({ outcome });
  }

  rotationRunDuration(seconds: number): void {
    this.m.rotationRunDurationSeconds.set(seconds);
  }

  signingFrozen(frozen: boolean): void {
    this.m.signingFrozen.set(frozen ? 1 : 0);
  }

  breakglassSessionsActive(count: number): void {
    this.m.breakglassSessionsActive.set(count);
  }

  breakglassSignature(): void {
    this.m.breakglassSignaturesTotal.inc();
  }

  /** A witness is configured: its series start at 0 (down, nothing counted) until its first round. */
  witnessConfigured(witness: string): void {
    for (const outcome of WITNESS_OUTCOMES) this.m.auditWitnessCosignaturesTotal.inc({ witness: label(witness), outcome }, 0);
    this.m.auditWitnessUp.set({ witness: label(witness) }, 0);
  }

  /** One witness's part of a cosigning round: `cosigned`, `already`, or the failure reason (`unreachable`, `rejected`, `ahead`, `bad-answer`). */
  witnessResult(witness: string, outcome: string): void {
    this.m.auditWitnessCosignaturesTotal.inc({ witness: label(witness), outcome: label(outcome) });
    this.m.auditWitnessUp.set({ witness: label(witness) }, outcome === 'cosigned' || outcome === 'already' ? 1 : 0);
  }

  eventstoreAppend(store: string, seconds: number): void {
    this.m.eventstoreAppendSeconds.observe({ store: label(store) }, seconds);
  }

  projectionLag(projection: string, events: number): void {
    this.m.eventstoreProjectionLagEvents.set({ projection: label(projection) }, events);
  }

  /**
   * Reads these gauges from `sources` on every scrape. A source that fails (store unreachable)
   * leaves the last value in place: the scrape itself never fails because of it.
   */
  sampleAtScrape(sources: ScrapeSources): void {
    const { projectionLag, signingFrozen } = sources;
    if (projectionLag) {
      (this.m.eventstoreProjectionLagEvents as Collectable).collect = async () => {
        const lags = await projectionLag().catch(() => ({}) as Record<string, number>);
        for (const [projection, events] of Object.entries(lags)) this.projectionLag(projection, events);
      };
    }
    if (signingFrozen) {
      (this.m.signingFrozen as Collectable).collect = () => {
        try {
          this.signingFrozen(signingFrozen());
        } catch {
          // keep the last value
        }
      };
    }
  }

  private retrievalMetrics(keyType: KeyType) {
    switch (keyType) {
      case 'signing':
        return [this.m.retrieveSigningKeySeconds, this.m.retrieveSigningKeyTotal] as const;
      case 'public':
        return [this.m.retrievePublicKeySeconds, this.m.retrievePublicKeyTotal] as const;
      case 'encryption':
        return [this.m.retrieveEncryptionKeySeconds, this.m.retrieveEncryptionKeyTotal] as const;
      default: {
        const unknown: never = keyType;
        throw new Error(`unknown key type ${String(unknown)}`);
      }
    }
  }
}

/** Label values are bounded in length so a long id cannot bloat every scrape. */
function label(value: string): string {
  return value.length > MAX_LABEL_LENGTH ? value.slice(0, MAX_LABEL_LENGTH) : value;
}
