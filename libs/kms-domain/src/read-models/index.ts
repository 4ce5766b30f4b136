export * from './read-model-tables';
export * from './row-order';
export * from './in-memory-read-models';
