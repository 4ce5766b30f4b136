import type { Decider } from '../shared/decider';
import { unknownCommand } from '../shared/assert-never';
import { requireDate, requireId } from '../shared/validation';
import type { BreakGlassCommand } from './break-glass-commands';
import { closeBreakGlass, destroyEmergencyKey, expireBreakGlass } from './break-glass-end';
import type { BreakGlassEvent } from './break-glass-events';
import { approveBreakGlass, requestBreakGlass } from './break-glass-open';
import { recordBreakGlassSignature, recordEmergencyKeyLost } from './break-glass-run';
import { evolveBreakGlass, type BreakGlassState } from './break-glass-state';

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
