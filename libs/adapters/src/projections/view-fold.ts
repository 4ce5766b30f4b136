import { KeyledgerEvent, PositionedView, Projection, RecordedEvent } from '@keyledger/kms-domain';

/** A status view as a pure fold over recorded events, in global order. */
export interface ViewFold<View> {
  readonly initial: View;
  apply(view: View, event: RecordedEvent): View;
}

/** Adapts a domain projection (which folds `ProjectedEvent`s) to a fold over the store's recorded events. */
export function foldOfProjection<View extends PositionedView>(projection: Projection<View>): ViewFold<View> {
  return {
    initial: projection.initial,
    apply: (view, e) =>
      projection.apply(view, {
        event: { type: e.type, schemaVersion: e.schemaVersion, data: e.data } as KeyledgerEvent,
        streamName: e.streamName,
        position: e.position,
      }),
  };
}

/** Runs several folds as one, so a single subscription feeds every view: `{ keys, breakers, ... }`. */
export function combineFolds<Views extends Record<string, unknown>>(folds: { readonly [K in keyof Views]: ViewFold<Views[K]> }): ViewFold<Views> {
  const names = Object.keys(folds) as (keyof Views)[];
  const initial = {} as Views;
  for (const name of names) initial[name] = folds[name].initial;
  return {
    initial,
    apply: (views, event) => {
      let next: Views | undefined;
      for (const name of names) {
        const updated = folds[name].apply(views[name], event);
        if (updated !== views[name]) {
          next ??= { ...views };
          next[name] = updated;
        }
      }
      return next ?? views;
    },
  };
}
