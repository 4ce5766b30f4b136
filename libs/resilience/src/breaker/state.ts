import type { WindowFigures } from './window';

/** Public breaker states. An isolated (forced-open) breaker reports `open`. */
export type BreakerStateName = 'closed' | 'open' | 'half-open';

/** The numbers operators see in `circuit_breaker_state{name}`: 0 closed, 1 open, 2 half-open. */
export const BREAKER_STATE_VALUE = { closed: 0, open: 1, 'half-open': 2 } as const satisfies Record<
  BreakerStateName,
  number
>;
export type BreakerStateValue = (typeof BREAKER_STATE_VALUE)[BreakerStateName];

/** Why a transition happened. */
export type BreakerTransitionReason =
  | 'failure-ratio'
  | 'half-open-failure'
  | 'delay-elapsed'
  | 'success-threshold'
  | 'isolated'
  | 'reset';

/** Published on every state change, in order, synchronously, before the triggering call returns. */
export interface BreakerTransition {
  readonly name: string;
  readonly from: BreakerStateName;
  readonly to: BreakerStateName;
  readonly fromValue: BreakerStateValue;
  readonly toValue: BreakerStateValue;
  /** Epoch milliseconds on the breaker's clock. */
  readonly at: number;
  readonly reason: BreakerTransitionReason;
  /**
   * The closed-state window as the transition happened. The figures that opened the breaker stay
   * until it closes; the closing transition reports them once more, then the window starts empty.
   */
  readonly window: WindowFigures;
  /** Consecutive half-open successes counted so far. */
  readonly halfOpenSuccesses: number;
  /** True while an operator holds the breaker open. */
  readonly isolated: boolean;
}

/** Receives transitions. Must be cheap and must not throw; a throwing listener is ignored. */
export type BreakerTransitionListener = (transition: BreakerTransition) => void;

/** A point-in-time view of a breaker, for health checks and admin endpoints. */
export interface BreakerSnapshot {
  readonly name: string;
  readonly state: BreakerStateName;
  readonly stateValue: BreakerStateValue;
  readonly isolated: boolean;
  readonly window: WindowFigures;
  readonly halfOpenSuccesses: number;
  /** Milliseconds until an open breaker half-opens; 0 when not open, null when isolated. */
  readonly retryAfterMs: number | null;
}
