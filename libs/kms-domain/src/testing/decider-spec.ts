import type { Decider } from '../shared/decider';
import { deepEqual, render } from './deep-equal';

/** Thrown when a given/when/then expectation fails; test runners report it like any assertion. */
export class SpecificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SpecificationError';
  }
}

type ErrorClass<E extends Error> = abstract new (...args: never[]) => E;

/** The outcome half of a specification. */
export interface ThenClause<Event, State> {
  /** The command produced exactly these events, in order. */
  then(expected: readonly Event[]): void;
  /** The command was refused with an error of this class (or carrying this `code`); returns it. */
  thenThrows<E extends Error>(expected: ErrorClass<E> | string): E;
  /** Runs the command and hands back the events and the state after them, for custom checks. */
  run(): { events: Event[]; state: State };
}

export interface WhenClause<Command, Event, State> {
  when(command: Command): ThenClause<Event, State>;
}

function matches(error: unknown, expected: ErrorClass<Error> | string): boolean {
  if (typeof expected === 'string') return (error as { code?: unknown } | null)?.code === expected;
  return error instanceof expected;
}

function expectedName(expected: ErrorClass<Error> | string): string {
  return typeof expected === 'string' ? `code ${expected}` : expected.name;
}

/**
 * Given/when/then for deciders: given past events, when a command, then new events or an error.
 * Independent of the test runner: failures throw {@link SpecificationError}.
 *
 * @example deciderSpec(keyDecider).given([created]).when(disable).then([disabled])
 */
export function deciderSpec<Command, Event, State>(decider: Decider<Command, Event, State>) {
  return {
    given(history: readonly Event[]): WhenClause<Command, Event, State> {
      const state = history.reduce((s, e) => decider.evolve(s, e), decider.initialState());
      return {
        when(command: Command): ThenClause<Event, State> {
          const run = () => {
            const events = decider.decide(command, state);
            return { events, state: events.reduce((s, e) => decider.evolve(s, e), state) };
          };
          return {
            run,
            then(expected) {
              const { events } = run();
              if (!deepEqual(events, expected)) {
                throw new SpecificationError(`Expected events ${render(expected)}\nbut got ${render(events)}`);
              }
            },
            thenThrows<E extends Error>(expected: ErrorClass<E> | string): E {
              let events: Event[];
              try {
                events = run().events;
              } catch (error) {
                if (matches(error, expected)) return error as E;
                throw new SpecificationError(`Expected ${expectedName(expected)} but got ${String(error)}`);
              }
              throw new SpecificationError(`Expected ${expectedName(expected)} but got events ${render(events)}`);
            },
          };
        },
      };
    },
  };
}

/** Alias in given/when/then wording. */
export const givenWhenThen = deciderSpec;
