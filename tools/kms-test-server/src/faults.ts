/** Failure modes the server can inject into KMS calls (admin calls are never affected). */
export const FAULT_MODES = ['none', 'throttle', 'internal-error', 'unavailable', 'access-denied', 'disabled-key', 'connection-reset', 'black-hole'] as const;
export type FaultMode = (typeof FAULT_MODES)[number];

/** The fault switchboard: a mode, added latency, an optional budget of calls, an optional operation filter. */
export interface FaultSettings {
  readonly mode: FaultMode;
  /** Fixed delay before every KMS answer, in ms. */
  readonly latencyMs: number;
  /** Extra uniformly random delay of 0..jitterMs on top of latencyMs. */
  readonly jitterMs: number;
  /** Apply `mode` to this many matching calls, then recover to `none`; null means until changed. */
  readonly failNext: number | null;
  /** Only these operations (e.g. `Sign`) are affected by `mode`; all when empty. */
  readonly operations: readonly string[];
}

export const NO_FAULTS: FaultSettings = { mode: 'none', latencyMs: 0, jitterMs: 0, failNext: null, operations: [] };

/** What to do with one KMS call. */
export type FaultAction =
  | { readonly kind: 'answer' }
  | { readonly kind: 'error'; readonly type: string; readonly status: number; readonly message: string }
  | { readonly kind: 'reset' }
  | { readonly kind: 'black-hole' };

export interface FaultDecision {
  readonly delayMs: number;
  readonly action: FaultAction;
}

export interface FaultStats {
  readonly requests: number;
  readonly faultsInjected: number;
  readonly byOperation: Readonly<Record<string, number>>;
}

/** Holds the current settings, decides each call's fate and counts what happened. */
export class FaultController {
  private settings: FaultSettings = NO_FAULTS;
  private remaining: number | null = null;
  private requests = 0;
  private injected = 0;
  private readonly byOperation: Record<string, number> = {};

  constructor(
    initial: Partial<FaultSettings> = {},
    private readonly random: () => number = Math.random,
  ) {
    this.set(initial);
  }

  /** Replaces the settings (missing fields take the no-fault defaults) and returns them. */
  set(input: Partial<FaultSettings>): FaultSettings {
    this.settings = parseFaultSettings(input);
    this.remaining = this.settings.failNext;
    return this.current();
  }

  clear(): FaultSettings {
    return this.set({});
  }

  current(): FaultSettings {
    return { ...this.settings, failNext: this.remaining };
  }

  stats(): FaultStats {
    return { requests: this.requests, faultsInjected: this.injected, byOperation: { ...this.byOperation } };
  }

  decide(operation: string): FaultDecision {
    this.requests += 1;
    this.byOperation[operation] = (this.byOperation[operation] ?? 0) + 1;
    const { latencyMs, jitterMs } = this.settings;
    const delayMs = latencyMs + (jitterMs > 0 ? Math.floor(this.random() * (jitterMs + 1)) : 0);
    return { delayMs, action: this.actionFor(operation) };
  }

  private actionFor(operation: string): FaultAction {
    const { mode, operations } = this.settings;
    if (mode === 'none' || (operations.length > 0 && !operations.includes(operation))) return { kind: 'answer' };
    if (this.remaining !== null) {
      if (this.remaining <= 0) return { kind: 'answer' };
      this.remaining -= 1;
    }
    this.injected += 1;
    return faultAction(mode);
  }
}

function faultAction(mode: Exclude<FaultMode, 'none'>): FaultAction {
  switch (mode) {
    case 'throttle':
      return { kind: 'error', type: 'ThrottlingException', status: 400, message: 'Rate exceeded' };
    case 'internal-error':
      return { kind: 'error', type: 'KMSInternalException', status: 500, message: 'An internal error occurred (injected).' };
    case 'unavailable':
      return { kind: 'error', type: 'ServiceUnavailableException', status: 503, message: 'Service unavailable (injected).' };
    case 'access-denied':
      return { kind: 'error', type: 'AccessDeniedException', status: 400, message: 'User is not authorized to perform this operation (injected).' };
    case 'disabled-key':
      return { kind: 'error', type: 'DisabledException', status: 400, message: 'The key is disabled (injected).' };
    case 'connection-reset':
      return { kind: 'reset' };
    case 'black-hole':
      return { kind: 'black-hole' };
    default: {
      const unknown: never = mode;
      throw new Error(`unknown fault mode ${String(unknown)}`);
    }
  }
}

const nonNegativeInteger = (value: unknown, name: string): number => {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new TypeError(`${name} must be a non-negative integer`);
  return value;
};

/** Validates settings from flags, JSON or code; throws a TypeError naming the bad field. */
export function parseFaultSettings(input: unknown): FaultSettings {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new TypeError('fault settings must be an object');
  const raw = input as Record<string, unknown>;
  const mode = raw['mode'] ?? 'none';
  if (!FAULT_MODES.includes(mode as FaultMode)) throw new TypeError(`mode must be one of ${FAULT_MODES.join(', ')}`);
  const operations = raw['operations'] ?? [];
  if (!Array.isArray(operations) || !operations.every((o) => typeof o === 'string')) throw new TypeError('operations must be a list of names');
  const failNext = raw['failNext'] ?? null;
  return {
    mode: mode as FaultMode,
    latencyMs: nonNegativeInteger(raw['latencyMs'] ?? 0, 'latencyMs'),
    jitterMs: nonNegativeInteger(raw['jitterMs'] ?? 0, 'jitterMs'),
    failNext: failNext === null ? null : nonNegativeInteger(failNext, 'failNext'),
    operations: operations as string[],
  };
}
