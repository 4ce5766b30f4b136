import type { BreakerEvent, BreakerPosition } from '../breaker/breaker-events';
import { positionAfter } from '../breaker/breaker-transitions';
import { assertNever } from '../shared/assert-never';
import type { PositionedView } from './projection';
import { defineTableProjection } from './table-projection';

/** One breaker instance as last reported. */
export interface BreakerViewEntry {
  readonly name: string;
  readonly instance: string;
  readonly state: BreakerPosition;
  readonly since: string;
  readonly openCount: number;
  readonly lastOpenedAt: string | null;
  /** Figures of the window that last opened it. */
  readonly lastFailures: number | null;
  readonly lastCalls: number | null;
  readonly lastFailureRatio: number | null;
  /** When this instance last left `closed` (open or half-open since then), null while closed. */
  readonly outSince: string | null;
  /**
   * Last time the instance itself said it is out (a transition or a `BreakerOutageConfirmed`);
   * absent on rows written before confirmations existed (read as `since`).
   */
  readonly confirmedAt?: string;
  /** Why the last outage ended without the breaker closing (`BreakerOutageEnded`), else absent. */
  readonly endedBecause?: string;
}

export interface BreakersView extends PositionedView {
  /** By `<name>/<instance>`. */
  readonly breakers: Readonly<Record<string, BreakerViewEntry>>;
}

const BREAKER_TYPES = new Set(['BreakerOpened', 'BreakerHalfOpened', 'BreakerClosed', 'BreakerOutageConfirmed', 'BreakerOutageEnded'] as const);

function changedAt(event: BreakerEvent): string {
  switch (event.type) {
    case 'BreakerOpened':
      return event.data.openedAt;
    case 'BreakerHalfOpened':
      return event.data.halfOpenedAt;
    case 'BreakerClosed':
      return event.data.closedAt;
    case 'BreakerOutageConfirmed':
      return event.data.confirmedAt;
    case 'BreakerOutageEnded':
      return event.data.endedAt;
    default:
      return assertNever(event, 'breaker event');
  }
}

function next(previous: BreakerViewEntry | undefined, event: BreakerEvent): BreakerViewEntry {
  const { name, instance } = event.data;
  const since = changedAt(event);
  const base: BreakerViewEntry = previous ?? {
    name,
    instance,
    state: 'closed',
    since,
    openCount: 0,
    lastOpenedAt: null,
    lastFailures: null,
    lastCalls: null,
    lastFailureRatio: null,
    outSince: null,
  };
  const state = positionAfter(event);
  if (event.type === 'BreakerOutageConfirmed') {
    // A renewal: the position and its `since` stay; only the confirmation time moves.
    return { ...base, state, outSince: base.outSince ?? since, confirmedAt: since };
  }
  const outSince = state === 'closed' ? null : (base.outSince ?? since);
  const { endedBecause: _previous, ...rest } = base;
  const moved: BreakerViewEntry = { ...rest, state, since, outSince, confirmedAt: since, ...(event.type === 'BreakerOutageEnded' ? { endedBecause: event.data.reason } : {}) };
  if (event.type !== 'BreakerOpened') return moved;
  const { failures, calls, failureRatio } = event.data;
  return { ...moved, openCount: base.openCount + 1, lastOpenedAt: since, lastFailures: failures, lastCalls: calls, lastFailureRatio: failureRatio };
}

/** Breakers view: position of every breaker instance, with its last opening figures. */
export const breakersProjection = defineTableProjection<BreakersView, BreakerEvent['type'], BreakerViewEntry>(
  'breakers',
  { position: null, breakers: {} },
  { table: (view) => view.breakers, build: (_view, position, breakers) => ({ position, breakers }) },
  { types: BREAKER_TYPES, keyOf: (event) => `${event.data.name}/${event.data.instance}`, next },
);

/** Value of the `circuit_breaker_state` gauge: 0 closed, 1 open, 2 half-open. */
export function breakerGaugeValue(position: BreakerPosition): 0 | 1 | 2 {
  switch (position) {
    case 'closed':
      return 0;
    case 'open':
      return 1;
    case 'half-open':
      return 2;
    default:
      return assertNever(position, 'breaker position');
  }
}

/** Entries sorted by name then instance. */
export function breakerRows(view: BreakersView): BreakerViewEntry[] {
  return Object.entries(view.breakers)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([, entry]) => entry);
}
