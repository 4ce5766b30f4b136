import type { BreakerEvent, RecordedEvent } from '@keyledger/kms-domain';

/** Breakers whose opening means the signing provider is unavailable. */
export const SIGNING_BREAKERS: ReadonlySet<string> = new Set(['kms-signing-key']);

const BREAKER_TYPES = new Set<string>(['BreakerOpened', 'BreakerHalfOpened', 'BreakerClosed']);

/**
 * How long the signing provider has been unavailable, from the recorded breaker transitions of
 * every instance: an instance is out from the moment its signing breaker left `closed` until it
 * closes again (open and half-open both count). The outage began at the earliest such moment among
 * instances that are still out; none out means no outage.
 */
export class OutageTracker {
  private readonly outSince = new Map<string, number>();

  /** Folds one recorded event (others are ignored). */
  apply(recorded: RecordedEvent): void {
    if (!BREAKER_TYPES.has(recorded.type)) return;
    const event = { type: recorded.type, data: recorded.data } as BreakerEvent;
    if (!SIGNING_BREAKERS.has(event.data.name)) return;
    const id = `${event.data.name}/${event.data.instance}`;
    switch (event.type) {
      case 'BreakerOpened':
        if (!this.outSince.has(id)) this.outSince.set(id, Date.parse(event.data.openedAt));
        return;
      case 'BreakerHalfOpened':
        if (!this.outSince.has(id)) this.outSince.set(id, Date.parse(event.data.halfOpenedAt));
        return;
      case 'BreakerClosed':
        this.outSince.delete(id);
        return;
      default: {
        const unknown: never = event;
        throw new Error(`unhandled breaker event ${String((unknown as { type: string }).type)}`);
      }
    }
  }

  /** Start of the current outage, or null when every signing breaker is closed. */
  since(): Date | null {
    if (this.outSince.size === 0) return null;
    return new Date(Math.min(...this.outSince.values()));
  }

  /** Whole minutes the current outage has lasted at `now` (null: no outage). */
  minutesAt(now: Date): number | null {
    const since = this.since();
    return since === null ? null : Math.max(0, Math.floor((now.getTime() - since.getTime()) / 60_000));
  }
}
