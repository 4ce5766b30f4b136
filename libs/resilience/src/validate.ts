import { ResilienceConfigError } from './errors';
import {
  BREAKER_NAME_PATTERN,
  type BulkheadSettings,
  type CircuitBreakerSettings,
  type ResiliencePolicyOptions,
  type RetrySettings,
} from './settings';

type Problems = string[];

function wholeIn(problems: Problems, label: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    problems.push(`${label}=${value} must be a whole number from ${min} to ${max}`);
  }
}

/** Problems with breaker settings, each naming the field; empty when valid. */
export function breakerProblems(s: CircuitBreakerSettings, prefix = 'breaker.'): string[] {
  const p: Problems = [];
  wholeIn(p, `${prefix}requestVolumeThreshold`, s.requestVolumeThreshold, 1, 10_000);
  if (!(s.failureRatio > 0 && s.failureRatio <= 1)) {
    p.push(`${prefix}failureRatio=${s.failureRatio} must be a number above 0 and at most 1`);
  }
  wholeIn(p, `${prefix}delayMs`, s.delayMs, 0, 3_600_000);
  wholeIn(p, `${prefix}successThreshold`, s.successThreshold, 1, 10_000);
  wholeIn(p, `${prefix}halfOpenMaxCalls`, s.halfOpenMaxCalls, 1, 10_000);
  return p;
}

/** Problems with retry settings; empty when valid. */
export function retryProblems(s: RetrySettings, prefix = 'retry.'): string[] {
  const p: Problems = [];
  wholeIn(p, `${prefix}maxRetries`, s.maxRetries, 0, 100);
  wholeIn(p, `${prefix}delayMs`, s.delayMs, 0, 600_000);
  wholeIn(p, `${prefix}jitterMs`, s.jitterMs, 0, 600_000);
  if (s.jitterMs > s.delayMs) p.push(`${prefix}jitterMs=${s.jitterMs} must not exceed ${prefix}delayMs=${s.delayMs}`);
  wholeIn(p, `${prefix}maxDurationMs`, s.maxDurationMs, 1, 3_600_000);
  return p;
}

export function timeoutProblems(timeoutMs: number, label = 'timeout.timeoutMs'): string[] {
  const p: Problems = [];
  wholeIn(p, label, timeoutMs, 1, 3_600_000);
  return p;
}

export function bulkheadProblems(s: BulkheadSettings, prefix = 'bulkhead.'): string[] {
  const p: Problems = [];
  wholeIn(p, `${prefix}maxConcurrent`, s.maxConcurrent, 1, 100_000);
  wholeIn(p, `${prefix}maxQueue`, s.maxQueue, 0, 100_000);
  return p;
}

/** Throws {@link ResilienceConfigError} listing every problem, or returns the options unchanged. */
export function validateResiliencePolicyOptions(o: ResiliencePolicyOptions): ResiliencePolicyOptions {
  const problems = [
    ...(BREAKER_NAME_PATTERN.test(o.name) ? [] : [`name=${JSON.stringify(o.name)} must be lowercase words joined by hyphens`]),
    ...breakerProblems(o.breaker),
    ...retryProblems(o.retry),
    ...timeoutProblems(o.timeout.timeoutMs),
    ...bulkheadProblems(o.bulkhead),
  ];
  if (problems.length > 0) throw new ResilienceConfigError(problems);
  return o;
}

/** Throws {@link ResilienceConfigError} when `problems` is not empty. */
export function assertValid(problems: readonly string[]): void {
  if (problems.length > 0) throw new ResilienceConfigError(problems);
}
