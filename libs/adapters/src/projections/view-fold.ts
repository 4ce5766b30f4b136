import { KeyledgerEvent, PositionedView, ProjectedEvent, Projection, RecordedEvent } from '@keyledger/kms-domain';

/**
 * A status view as a pure fold over recorded events, in global order. `applyAll`, when present,
 * folds a page at once (catch-up, replay) with the same result as `apply` one by one and without
 * touching the view passed in; folds without it are applied event by event.
 */
export interface ViewFold<View> {
  readonly initial: View;
  apply(view: View, event: RecordedEvent): View;
  applyAll?(view: View, events: readonly RecordedEvent[]): View;
}

/** Folds a page through `fold.applyAll`, or event by event when the fold has none. */
export function applyPage<View>(fold: ViewFold<View>, view: View, events: readonly RecordedEvent[]): View {
  if (fold.applyAll) return fold.applyAll(view, events);
  let next = view;
  for (const event of events) next = fold.apply(next, event);
  return next;
}

/**
 * A recorded event as the domain projections take it. The recorded event itself serves as the
 * domain event (projections read only its type, schema version and data), so catch-up allocates
 * one small object per event rather than two.
 */
export function projected(e: RecordedEvent): ProjectedEvent {
  return { event: e as unknown as KeyledgerEvent, streamName: e.streamName, position: e.position };
}

/** Adapts a domain projection (which folds `ProjectedEvent`s) to a fold over the store's recorded events. */
export function foldOfProjection<View extends PositionedView>(projection: Projection<View>): ViewFold<View> {
  return {
    initial: projection.initial,
    apply: (view, e) => projection.apply(view, projected(e)),
    applyAll: (view, events) => projection.applyAll(view, events.map(projected)),
  };
}

/** Runs several folds as one, so a single subscription feeds every view: `{ keys, breakers, ... }`. */
export function combineFolds<Views extends Record<string, unknown>>(folds: { readonly [K in keyof Views]: ViewFold<Views[K]> }): ViewFold<Views> {
  const names = Object.keys(folds) as (keyof Views)[];
  return combined<Views, RecordedEvent>(names, (name) => folds[name].initial, {
    one: (name, view, event) => folds[name].apply(view, event),
    page: (name, view, events) => applyPage(folds[name], view, events),
  });
}

/**
 * Several domain projections as one fold, converting each recorded event to the domain's shape
 * once for all of them (rather than once per view), and folding pages through `applyAll`.
 */
export function combineProjections<Views extends Record<string, PositionedView>>(projections: { readonly [K in keyof Views]: Projection<Views[K]> }): ViewFold<Views> {
  const names = Object.keys(projections) as (keyof Views)[];
  const fold = combined<Views, ProjectedEvent>(names, (name) => projections[name].initial, {
    one: (name, view, event) => projections[name].apply(view, event),
    page: (name, view, events) => projections[name].applyAll(view, events),
  });
  return {
    initial: fold.initial,
    apply: (views, event) => fold.apply(views, projected(event)),
    applyAll: (views, events) => fold.applyAll(views, events.map(projected)),
  };
}

interface Fold<Views, E> {
  readonly initial: Views;
  apply(views: Views, event: E): Views;
  applyAll(views: Views, events: readonly E[]): Views;
}

interface Steps<Views, E> {
  one<K extends keyof Views>(name: K, view: Views[K], event: E): Views[K];
  page<K extends keyof Views>(name: K, view: Views[K], events: readonly E[]): Views[K];
}

/** Folds every named view; the combined object is copied only when one of its views changed. */
function combined<Views, E>(names: readonly (keyof Views)[], initialOf: <K extends keyof Views>(name: K) => Views[K], steps: Steps<Views, E>): Fold<Views, E> {
  const initial = {} as Views;
  for (const name of names) initial[name] = initialOf(name);
  const each = (views: Views, step: <K extends keyof Views>(name: K, view: Views[K]) => Views[K]): Views => {
    let next: Views | undefined;
    for (const name of names) {
      const updated = step(name, views[name]);
      if (updated !== views[name]) {
        next ??= { ...views };
        next[name] = updated;
      }
    }
    return next ?? views;
  };
  return {
    initial,
    apply: (views, event) => each(views, (name, view) => steps.one(name, view, event)),
    applyAll: (views, events) => each(views, (name, view) => steps.page(name, view, events)),
  };
}
