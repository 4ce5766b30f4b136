/** Test helpers for deciders and folds; pure, usable from any test runner. */
export { deciderSpec, givenWhenThen, SpecificationError, type ThenClause, type WhenClause } from './decider-spec';
export { deepEqual } from './deep-equal';
