import type { BreakerReadModel } from '@keyledger/kms-domain';

/** Breakers whose opening means the signing provider is unavailable. */
export const SIGNING_BREAKERS: readonly string[] = ['kms-signing-key'];

/**
 * How long the signing provider has been unavailable, from the recorded breaker transitions of
 * every instance (the breakers read model): an instance is out from the moment its signing breaker
 * left `closed` until it closes again (open and half-open both count). The outage began at the
 * earliest such moment among instances that are still out; none out means no outage.
 */
export function outageSince(breakers: BreakerReadModel): Date | null {
  let since: number | null = null;
  for (const entry of breakers.outOf(SIGNING_BREAKERS)) {
    const at = Date.parse(entry.outSince ?? entry.since);
    if (since === null || at < since) since = at;
  }
  return since === null ? null : new Date(since);
}

/** Whole minutes the current outage has lasted at `now` (null: no outage). */
export function outageMinutesAt(breakers: BreakerReadModel, now: Date): number | null {
  const since = outageSince(breakers);
  return since === null ? null : Math.max(0, Math.floor((now.getTime() - since.getTime()) / 60_000));
}
