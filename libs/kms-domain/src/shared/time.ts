import type { IsoTimestamp } from './domain-event';

export const MS_PER_SECOND = 1000;
export const MS_PER_DAY = 86_400_000;

/** Serialises a command's `now` for events and state. */
export function toIso(date: Date): IsoTimestamp {
  return date.toISOString();
}

/** Adds whole milliseconds to an ISO timestamp (UTC, so no daylight-saving surprises). */
export function addMs(at: IsoTimestamp, ms: number): IsoTimestamp {
  return new Date(Date.parse(at) + ms).toISOString();
}

/** True when `now` is at or after the ISO timestamp `at`. */
export function reached(now: Date, at: IsoTimestamp): boolean {
  return now.getTime() >= Date.parse(at);
}
