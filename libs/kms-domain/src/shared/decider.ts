/**
 * An aggregate as three pure functions: `decide` turns a command and the current state into new
 * events (or throws a typed domain error), `evolve` folds one event into the state, and
 * `initialState` is the state of a stream with no events. No I/O, no clock, no randomness.
 */
export interface Decider<Command, Event, State> {
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
  initialState(): State;
}

/** Replays events through a decider's `evolve`, starting from its initial state. */
export function foldEvents<Command, Event, State>(
  decider: Decider<Command, Event, State>,
  events: readonly Event[],
): State {
  return events.reduce((state, event) => decider.evolve(state, event), decider.initialState());
}
