export * from './breaker-events';
export { decideBreakerTransition, evolveBreakerTransitions, breakerTransitionsDecider, positionAfter } from './breaker-transitions';
