export {};
export * from './kms';
export * from './event-store';
export * from './projections';
export * from './read-models';
