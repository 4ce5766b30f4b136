export * from './break-glass-events';
export * from './break-glass-commands';
export { evolveBreakGlass, type BreakGlassState, type BreakGlassStatus, type Approval, type SessionBase, type Issued, type SessionEnding } from './break-glass-state';
export { checkBreakGlassCommand, decideBreakGlass, breakGlassDecider } from './break-glass-decider';
export {
  DEFAULT_BREAK_GLASS_TTL_SECONDS,
  MAX_BREAK_GLASS_TTL_SECONDS,
  MIN_JUSTIFICATION_LENGTH,
  MAX_JUSTIFICATION_LENGTH,
} from './break-glass-open';
