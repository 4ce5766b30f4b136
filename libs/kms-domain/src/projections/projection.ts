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
 * it does not care about) and returns the next view without mutating the old one. `applyAll` folds
 * a run of events at once (catch-up, replay) with the same result as applying them one by one, and
 * the same guarantee: the view passed in, and everything reachable from it, is left untouched.
 */
export interface Projection<View extends PositionedView> {
  readonly name: string;
  readonly initial: View;
  apply(view: View, recorded: ProjectedEvent): View;
  applyAll(view: View, events: readonly ProjectedEvent[]): View;
}

/**
 * Builds a projection from a whole-view step (views that are not tables; table views use
 * `defineTableProjection`, which copies less). Idempotent under replay: an event at or before the view's position
 * (a catch-up subscription resuming from a lagging checkpoint) leaves the view unchanged.
 */
export function defineProjection<View extends PositionedView>(
  name: string,
  initial: View,
  applyEvent: (view: View, recorded: ProjectedEvent) => View,
): Projection<View> {
  const apply = (view: View, recorded: ProjectedEvent): View => {
    if (view.position !== null && recorded.position <= view.position) return view;
    return { ...applyEvent(view, recorded), position: recorded.position };
  };
  return { name, initial, apply, applyAll: (view, events) => events.reduce(apply, view) };
}

/** Folds a list of recorded events into a projection's view (for specs, rebuilds and tools). */
export function replay<View extends PositionedView>(projection: Projection<View>, events: readonly ProjectedEvent[]): View {
  return projection.applyAll(projection.initial, events);
}

/** Narrows an event to one of the listed types. */
export function isOneOf<T extends KeyledgerEvent['type']>(
  event: KeyledgerEvent,
  types: ReadonlySet<T>,
): event is Extract<KeyledgerEvent, { type: T }> {
  return (types as ReadonlySet<string>).has(event.type);
}
