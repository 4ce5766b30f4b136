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

export type BreakerEvent = BreakerOpened | BreakerHalfOpened | BreakerClosed;

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

export type BreakerTransitionCommand = RecordBreakerOpened | RecordBreakerHalfOpened | RecordBreakerClosed;

/** Last known position of each instance of one named breaker. */
export interface BreakerTransitionsState {
  readonly positions: Readonly<Record<string, BreakerPosition>>;
}
