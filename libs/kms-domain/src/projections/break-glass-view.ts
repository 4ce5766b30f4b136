import type { BreakGlassEvent } from '../break-glass/break-glass-events';
import { evolveBreakGlass, type BreakGlassState } from '../break-glass/break-glass-state';
import { reached } from '../shared/time';
import type { PositionedView } from './projection';
import { defineTableProjection } from './table-projection';

export type BreakGlassViewEntry = Exclude<BreakGlassState, { status: 'Absent' }>;

export interface BreakGlassView extends PositionedView {
  /** By session id. */
  readonly sessions: Readonly<Record<string, BreakGlassViewEntry>>;
}

const ABSENT: BreakGlassState = { status: 'Absent' };
const SESSION_TYPES = new Set<BreakGlassEvent['type']>([
  'BreakGlassRequested',
  'BreakGlassApproved',
  'BreakGlassActivated',
  'BreakGlassSignatureIssued',
  'BreakGlassEmergencyKeyLost',
  'BreakGlassClosed',
  'BreakGlassExpired',
  'BreakGlassEmergencyKeyDestroyed',
]);

/** Break-glass sessions view: every session's state, folded with the aggregate's own evolve. */
export const breakGlassProjection = defineTableProjection<BreakGlassView, BreakGlassEvent['type'], BreakGlassViewEntry>(
  'break-glass-sessions',
  { position: null, sessions: {} },
  { table: (view) => view.sessions, build: (_view, position, sessions) => ({ position, sessions }) },
  {
    types: SESSION_TYPES,
    keyOf: (event) => event.data.sessionId,
    next: (current, event) => {
      const state = evolveBreakGlass(current ?? ABSENT, event);
      return state.status === 'Absent' ? undefined : state;
    },
  },
);

const bySession = (a: BreakGlassViewEntry, b: BreakGlassViewEntry) => a.sessionId.localeCompare(b.sessionId);

/** Running sessions whose `expiresAt` has passed: the scheduler should expire them. */
export function sessionsDueForExpiry(view: BreakGlassView, now: Date): BreakGlassViewEntry[] {
  return Object.values(view.sessions)
    .filter((s) => (s.status === 'Active' || s.status === 'KeyLost') && reached(now, s.expiresAt))
    .sort(bySession);
}

/** Ended sessions that issued an emergency key not yet recorded as destroyed. */
export function sessionsAwaitingKeyDestruction(view: BreakGlassView): BreakGlassViewEntry[] {
  return Object.values(view.sessions)
    .filter((s) => s.status === 'Ended' && s.issued !== null)
    .sort(bySession);
}

/** Sessions in a status (e.g. `Requested` for the approvers' queue). */
export function sessionsWithStatus(view: BreakGlassView, status: BreakGlassViewEntry['status']): BreakGlassViewEntry[] {
  return Object.values(view.sessions)
    .filter((s) => s.status === status)
    .sort(bySession);
}
