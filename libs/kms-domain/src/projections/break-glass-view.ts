import type { BreakGlassEvent } from '../break-glass/break-glass-events';
import { evolveBreakGlass, type BreakGlassState } from '../break-glass/break-glass-state';
import { reached } from '../shared/time';
import { ownEntry } from '../shared/validation';
import { defineProjection, isOneOf, type PositionedView } from './projection';

export type BreakGlassViewEntry = Exclude<BreakGlassState, { status: 'Absent' }>;

export interface BreakGlassView extends PositionedView {
  /** By session id. */
  readonly sessions: Readonly<Record<string, BreakGlassViewEntry>>;
}

const SESSION_TYPES = new Set<BreakGlassEvent['type']>([
  'BreakGlassRequested',
  'BreakGlassApproved',
  'BreakGlassActivated',
  'BreakGlassSignatureRecorded',
  'BreakGlassEmergencyKeyLost',
  'BreakGlassClosed',
  'BreakGlassExpired',
  'BreakGlassEmergencyKeyDestroyed',
]);

/** Break-glass sessions view: every session's state, folded with the aggregate's own evolve. */
export const breakGlassProjection = defineProjection<BreakGlassView>(
  'break-glass-sessions',
  { position: null, sessions: {} },
  (view, { event }) => {
    if (!isOneOf(event, SESSION_TYPES)) return view;
    const id = event.data.sessionId;
    const state = evolveBreakGlass(ownEntry(view.sessions, id) ?? { status: 'Absent' }, event);
    if (state.status === 'Absent') return view;
    return { ...view, sessions: { ...view.sessions, [id]: state } };
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
