import { KeyledgerError } from '@keyledger/kms-domain';

/** Codes of the break-glass use cases' own refusals (domain session errors pass through). */
export const BREAK_GLASS_ERROR_CODES = ['NO_OUTAGE', 'EMERGENCY_KEY_UNAVAILABLE', 'FORBIDDEN'] as const;
export type BreakGlassErrorCode = (typeof BREAK_GLASS_ERROR_CODES)[number];

/**
 * NO_OUTAGE: the signing provider has not been down long enough; EMERGENCY_KEY_UNAVAILABLE: this
 * process holds no emergency key for the session; FORBIDDEN: only the requester signs.
 */
export class BreakGlassError extends KeyledgerError {
  constructor(
    readonly code: BreakGlassErrorCode,
    message: string,
  ) {
    super(message);
  }
}
