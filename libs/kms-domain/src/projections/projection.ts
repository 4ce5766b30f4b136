import type { KeyledgerEvent } from '../events';

/** Global position in the store's total order, from 1 (as `ProjectedEvent#position` of the event store port). */
export type GlobalPosition = number;

/**
 * What a projection folds: the domain event (type, schema version, data) with its stream name and
 * global position. The runner builds it from the store's `ProjectedEvent`.
 */
export interface ProjectedEvent<E extends KeyledgerEvent = KeyledgerEvent> {
  readonly event: E;
  readonly streamName: string;
  readonly position: GlobalPosition;
}

/** Every view remembers the last position it applied. */
export interface PositionedView {
  readonly position: GlobalPosition | null;
}

/**
 * A status view as a pure fold: `apply` takes every recorded event in global order (ignoring those
 * it does not care about) and returns the next view without mutating the old one.
 */
export interface Projection<View extends PositionedView> {
  readonly name: string;
  readonly initial: View;
  apply(view: View, recorded: ProjectedEvent): View;
}

/**
 * Builds a projection that is idempotent under replay: an event at or before the view's position
 * (a catch-up subscription resuming from a lagging checkpoint) leaves the view unchanged.
 */
export function defineProjection<View extends PositionedView>(
  name: string,
  initial: View,
  applyEvent: (view: View, recorded: ProjectedEvent) => View,
): Projection<View> {
  return {
    name,
    initial,
    apply(view, recorded) {
      if (view.position !== null && recorded.position <= view.position) return view;
      return { ...applyEvent(view, recorded), position: recorded.position };
    },
  };
}

/** Folds a list of recorded events into a projection's view (for specs, rebuilds and tools). */
export function replay<View extends PositionedView>(projection: Projection<View>, events: readonly ProjectedEvent[]): View {
  return events.reduce((view, recorded) => projection.apply(view, recorded), projection.initial);
}

/** Narrows an event to one of the listed types. */
export function isOneOf<T extends KeyledgerEvent['type']>(
  event: KeyledgerEvent,
  types: ReadonlySet<T>,
): event is Extract<KeyledgerEvent, { type: T }> {
  return (types as ReadonlySet<string>).has(event.type);
}
