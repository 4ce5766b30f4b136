export { ResiliencePolicy } from './policy';
export type { ResilienceHooks, GuardedCall } from './policy';
export { CircuitBreaker } from './breaker/circuit-breaker';
export type { CircuitBreakerOptions } from './breaker/circuit-breaker';
export { BREAKER_STATE_VALUE } from './breaker/state';
export type {
  BreakerStateName,
  BreakerStateValue,
  BreakerTransition,
  BreakerTransitionListener,
  BreakerTransitionReason,
  BreakerSnapshot,
} from './breaker/state';
export type { WindowFigures } from './breaker/window';
export { Retry } from './retry';
export type { RetryOptions } from './retry';
export { Timeout } from './timeout';
export type { TimeoutOptions } from './timeout';
export { Bulkhead } from './bulkhead';
export { isTransientFailure, isPolicyRejection } from './classify';
export type { FailureClassifier } from './classify';
export { systemClock, sleepOn } from './clock';
export type { Clock, Sleep, TimerHandle } from './clock';
export {
  ResilienceError,
  BreakerOpenError,
  TimeoutError,
  BulkheadFullError,
  DeadlineExceededError,
  ResilienceConfigError,
  RESILIENCE_ERROR_CODES,
  isResilienceError,
  isBreakerOpenError,
  isTimeoutError,
} from './errors';
export type { ResilienceErrorCode } from './errors';
export {
  RESILIENCE_DEFAULTS,
  BREAKER_NAMES,
  BREAKER_NAME_PATTERN,
  defaultResiliencePolicyOptions,
} from './settings';
export type {
  ResiliencePolicyOptions,
  CircuitBreakerSettings,
  RetrySettings,
  TimeoutSettings,
  BulkheadSettings,
} from './settings';
export { validateResiliencePolicyOptions } from './validate';
export { resiliencePolicyOptionsFromEnv, resilienceEnvVariables, breakerEnvToken } from './env';
export type { ResilienceEnvVariable } from './env';
