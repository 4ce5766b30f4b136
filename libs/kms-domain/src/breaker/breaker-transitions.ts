import { ValidationError } from '../errors/domain-errors';
import { assertNever, unknownCommand } from '../shared/assert-never';
import type { Decider } from '../shared/decider';
import { toIso } from '../shared/time';
import { ownEntry, requireDate, requireId, requireInt, requireName, requireNumber } from '../shared/validation';
import type {
  BreakerEvent,
  BreakerPosition,
  BreakerTransitionCommand,
  BreakerTransitionsState,
  RecordBreakerOpened,
} from './breaker-events';

const MAX_COUNT = 1_000_000_000;

const TARGET: Readonly<Record<RecordTransition['type'], BreakerPosition>> = {
  RecordBreakerOpened: 'open',
  RecordBreakerHalfOpened: 'half-open',
  RecordBreakerClosed: 'closed',
};

type RecordTransition = Exclude<BreakerTransitionCommand, { type: 'ConfirmBreakerOutage' | 'EndBreakerOutage' }>;

const END_REASONS: readonly string[] = ['instance-stopped', 'instance-restarted'];

function openedFigures(command: RecordBreakerOpened) {
  const calls = requireInt('calls', command.calls, 0, MAX_COUNT);
  const failures = requireInt('failures', command.failures, 0, MAX_COUNT);
  if (failures > calls) throw new ValidationError('failures', 'cannot exceed calls');
  return { failures, calls, failureRatio: requireNumber('failureRatio', command.failureRatio, 0, 1) };
}

/**
 * Records a breaker transition reported by the resilience lib. The stream is a record, not the
 * breaker itself: any change of position is recorded (a lost report must not block the next one);
 * a repeated report of the current position records nothing. An outage (open or half-open) is
 * also confirmed by its live instance (a lease) and ended when that instance stops or is found
 * dead; both record nothing for an instance that is closed.
 */
export function decideBreakerTransition(command: BreakerTransitionCommand, state: BreakerTransitionsState): BreakerEvent[] {
  const name = requireId('name', command.name);
  const instance = requireName('instance', command.instance);
  const at = toIso(requireDate('now', command.now));
  const from = ownEntry(state.positions, instance) ?? 'closed';
  if (command.type === 'ConfirmBreakerOutage') {
    if (from === 'closed') return [];
    return [{ type: 'BreakerOutageConfirmed', schemaVersion: 1, data: { name, instance, from, position: from, confirmedAt: at } }];
  }
  if (command.type === 'EndBreakerOutage') {
    if (!END_REASONS.includes(command.reason)) throw new ValidationError('reason', `expected one of ${END_REASONS.join(', ')}`);
    const recordedBy = requireName('recordedBy', command.recordedBy);
    if (from === 'closed') return [];
    return [{ type: 'BreakerOutageEnded', schemaVersion: 1, data: { name, instance, from, reason: command.reason, recordedBy, endedAt: at } }];
  }
  if (from === TARGET[command.type]) return [];
  switch (command.type) {
    case 'RecordBreakerOpened':
      return [{ type: 'BreakerOpened', schemaVersion: 1, data: { name, instance, from, ...openedFigures(command), openedAt: at } }];
    case 'RecordBreakerHalfOpened':
      return [{ type: 'BreakerHalfOpened', schemaVersion: 1, data: { name, instance, from, halfOpenedAt: at } }];
    case 'RecordBreakerClosed': {
      const consecutiveSuccesses = requireInt('consecutiveSuccesses', command.consecutiveSuccesses, 0, MAX_COUNT);
      return [{ type: 'BreakerClosed', schemaVersion: 1, data: { name, instance, from, consecutiveSuccesses, closedAt: at } }];
    }
    default:
      return unknownCommand(command);
  }
}

/** Position an event puts its breaker instance in. */
export function positionAfter(event: BreakerEvent): BreakerPosition {
  switch (event.type) {
    case 'BreakerOpened':
      return 'open';
    case 'BreakerHalfOpened':
      return 'half-open';
    case 'BreakerClosed':
    case 'BreakerOutageEnded':
      return 'closed';
    case 'BreakerOutageConfirmed':
      return event.data.position;
    default:
      return assertNever(event, 'breaker event');
  }
}

export function evolveBreakerTransitions(state: BreakerTransitionsState, event: BreakerEvent): BreakerTransitionsState {
  return { positions: { ...state.positions, [event.data.instance]: positionAfter(event) } };
}

/** Breaker transitions of one named breaker (one stream per name, see `breakerStream`). */
export const breakerTransitionsDecider: Decider<BreakerTransitionCommand, BreakerEvent, BreakerTransitionsState> = {
  decide: decideBreakerTransition,
  evolve: evolveBreakerTransitions,
  initialState: () => ({ positions: {} }),
};
