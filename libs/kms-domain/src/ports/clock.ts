/**
 * The edge's source of time. The domain never reads a clock: handlers call `now()` once and put the
 * result in the command, so deciders stay pure and tests pick the moment.
 */
export interface Clock {
  now(): Date;
}

/** The edge's source of new ids (keys, sessions, kids); values must pass `SAFE_ID_PATTERN`. */
export interface IdGenerator {
  next(): string;
}

/** A clock fixed at (or moved explicitly from) a given moment, for tests and replays. */
export class FixedClock implements Clock {
  constructor(private current: Date) {}

  now(): Date {
    return new Date(this.current.getTime());
  }

  /** Moves the clock forward by `ms` milliseconds. */
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}
