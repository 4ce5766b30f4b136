import type { BreakerReadModel, BreakerViewEntry } from '@keyledger/kms-domain';

/** Breakers whose opening means the signing provider is unavailable. */
export const SIGNING_BREAKERS: readonly string[] = ['kms-signing-key'];

/** BREAKGLASS_OUTAGE_LEASE_SECONDS default: an instance's outage counts this long after it last confirmed it. */
export const DEFAULT_OUTAGE_LEASE_MS = 60_000;

/** Whether `entry` (an instance that is not closed) still vouches for its outage at `nowMs`. */
export function outageLeaseHeld(entry: BreakerViewEntry, nowMs: number, leaseMs: number): boolean {
  const confirmed = Date.parse(entry.confirmedAt ?? entry.since);
  return Number.isFinite(confirmed) && nowMs - confirmed <= leaseMs;
}

/**
 * When the current outage of the signing provider began, from the recorded breaker transitions of
 * every instance (the breakers read model): an instance is out from the moment its signing breaker
 * left `closed` until it closes again (open and half-open both count), and only while its lease
 * holds: it confirmed the outage within `leaseMs` (the live instance renews it; a dead one stops).
 * The outage began at the earliest such moment among instances still out; none means no outage.
 */
export function outageSince(breakers: BreakerReadModel, now: Date, leaseMs: number = DEFAULT_OUTAGE_LEASE_MS): Date | null {
  let since: number | null = null;
  for (const entry of breakers.outOf(SIGNING_BREAKERS)) {
    if (!outageLeaseHeld(entry, now.getTime(), leaseMs)) continue;
    const at = Date.parse(entry.outSince ?? entry.since);
    if (since === null || at < since) since = at;
  }
  return since === null ? null : new Date(since);
}

/** Whole minutes the current outage has lasted at `now` (null: no outage). */
export function outageMinutesAt(breakers: BreakerReadModel, now: Date, leaseMs: number = DEFAULT_OUTAGE_LEASE_MS): number | null {
  const since = outageSince(breakers, now, leaseMs);
  return since === null ? null : Math.max(0, Math.floor((now.getTime() - since.getTime()) / 60_000));
}
