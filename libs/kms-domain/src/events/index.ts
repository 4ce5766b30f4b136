export * from './catalogue';
/** The field checks the event shapes are built from (`fieldChecks.iso`, `fieldChecks.shape(...)`), for shapes outside the catalogue. */
export * as fieldChecks from './field-checks';
export { shapeFault, shapeProblem, describeShapeFault, parsesAsTime, type DataShape, type FieldCheck, type ShapeFault } from './field-checks';
export * from './event-shapes';
export * from './upcasters';
export * from './event-decode-error';
export * from './decode';
