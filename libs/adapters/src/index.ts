export {};
export * from './kms';
export * from './event-store';
export * from './read-models';
