import type { Decider } from '../shared/decider';
import { unknownCommand } from '../shared/assert-never';
import { requireDate, requireId } from '../shared/validation';
import type { BreakGlassCommand, PendingBreakGlassCommand } from './break-glass-commands';
import { closeBreakGlass, destroyEmergencyKey, expireBreakGlass } from './break-glass-end';
import type { BreakGlassEvent } from './break-glass-events';
import { approveBreakGlass, checkApproval, requestBreakGlass } from './break-glass-open';
import { recordBreakGlassSignature, recordEmergencyKeyLost } from './break-glass-run';
import { evolveBreakGlass, type BreakGlassState } from './break-glass-state';

/**
 * The guard step: throws the typed error `decideBreakGlass` would throw, for an approval before
 * its emergency key exists; `activates` says whether that approval completes the quorum (and so
 * needs the key). Other commands are decided and the events dropped (pure: nothing is kept).
 */
export function checkBreakGlassCommand(command: PendingBreakGlassCommand, state: BreakGlassState): { readonly activates: boolean } {
  requireId('sessionId', command.sessionId);
  requireDate('now', command.now);
  if (command.type === 'ApproveBreakGlass') return { activates: checkApproval(command, state).activates };
  decideBreakGlass(command, state);
  return { activates: false };
}

/** Decides one command against a break-glass session; throws a typed domain error when refused. */
export function decideBreakGlass(command: BreakGlassCommand, state: BreakGlassState): BreakGlassEvent[] {
  requireId('sessionId', command.sessionId);
  requireDate('now', command.now);
  switch (command.type) {
    case 'RequestBreakGlass':
      return requestBreakGlass(command, state);
    case 'ApproveBreakGlass':
      return approveBreakGlass(command, state);
    case 'RecordBreakGlassSignature':
      return recordBreakGlassSignature(command, state);
    case 'RecordEmergencyKeyLost':
      return recordEmergencyKeyLost(command, state);
    case 'CloseBreakGlass':
      return closeBreakGlass(command, state);
    case 'ExpireBreakGlass':
      return expireBreakGlass(command, state);
    case 'DestroyEmergencyKey':
      return destroyEmergencyKey(command, state);
    default:
      return unknownCommand(command);
  }
}

/** The BreakGlassSession aggregate (one stream per session, see `breakGlassStream`). */
export const breakGlassDecider: Decider<BreakGlassCommand, BreakGlassEvent, BreakGlassState> = {
  decide: decideBreakGlass,
  evolve: evolveBreakGlass,
  initialState: () => ({ status: 'Absent' }),
};
