import type { DomainEvent, IsoTimestamp } from '../shared/domain-event';

/** A breaker's position, as on the `circuit_breaker_state` gauge (0 closed, 1 open, 2 half-open). */
export type BreakerPosition = 'closed' | 'open' | 'half-open';

interface BreakerRef {
  /** Breaker name, e.g. `kms-signing-key`. */
  readonly name: string;
  /** The process holding this breaker (one breaker per name per instance). */
  readonly instance: string;
  readonly from: BreakerPosition;
}

export type BreakerOpened = DomainEvent<
  'BreakerOpened',
  BreakerRef & {
    /** Failures and calls in the window that tripped the breaker. */
    readonly failures: number;
    readonly calls: number;
    readonly failureRatio: number;
    readonly openedAt: IsoTimestamp;
  }
>;

export type BreakerHalfOpened = DomainEvent<'BreakerHalfOpened', BreakerRef & { readonly halfOpenedAt: IsoTimestamp }>;

export type BreakerClosed = DomainEvent<
  'BreakerClosed',
  BreakerRef & { readonly consecutiveSuccesses: number; readonly closedAt: IsoTimestamp }
>;

/**
 * The live instance still holds its breaker out of `closed` (a lease renewal): an outage counts
 * for break-glass only while its instance keeps confirming it (BREAKGLASS_OUTAGE_LEASE_SECONDS).
 */
export type BreakerOutageConfirmed = DomainEvent<
  'BreakerOutageConfirmed',
  BreakerRef & { readonly position: 'open' | 'half-open'; readonly confirmedAt: IsoTimestamp }
>;

/** Why a recorded outage ended without its breaker closing. */
export type BreakerOutageEndReason = 'instance-stopped' | 'instance-restarted';

/**
 * The instance that held the breaker out is gone: it stopped (recorded by itself at shutdown) or
 * a process on its host found it dead at start (`recordedBy`). Its position is `closed` after.
 */
export type BreakerOutageEnded = DomainEvent<
  'BreakerOutageEnded',
  BreakerRef & { readonly reason: BreakerOutageEndReason; readonly recordedBy: string; readonly endedAt: IsoTimestamp }
>;

export type BreakerEvent = BreakerOpened | BreakerHalfOpened | BreakerClosed | BreakerOutageConfirmed | BreakerOutageEnded;

interface BreakerCommand {
  readonly name: string;
  readonly instance: string;
  readonly now: Date;
}

export interface RecordBreakerOpened extends BreakerCommand {
  readonly type: 'RecordBreakerOpened';
  readonly failures: number;
  readonly calls: number;
  readonly failureRatio: number;
}

export interface RecordBreakerHalfOpened extends BreakerCommand {
  readonly type: 'RecordBreakerHalfOpened';
}

export interface RecordBreakerClosed extends BreakerCommand {
  readonly type: 'RecordBreakerClosed';
  readonly consecutiveSuccesses: number;
}

/** Renews the lease of an instance's outage; records nothing while that instance is closed. */
export interface ConfirmBreakerOutage extends BreakerCommand {
  readonly type: 'ConfirmBreakerOutage';
}

/** Ends the outage of a stopped or dead instance; records nothing while it is closed. */
export interface EndBreakerOutage extends BreakerCommand {
  readonly type: 'EndBreakerOutage';
  readonly reason: BreakerOutageEndReason;
  /** The process recording it (the instance itself at shutdown, another one at start). */
  readonly recordedBy: string;
}

export type BreakerTransitionCommand = RecordBreakerOpened | RecordBreakerHalfOpened | RecordBreakerClosed | ConfirmBreakerOutage | EndBreakerOutage;

/** Last known position of each instance of one named breaker. */
export interface BreakerTransitionsState {
  readonly positions: Readonly<Record<string, BreakerPosition>>;
}
