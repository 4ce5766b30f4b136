export type { Decider } from './decider';
export { foldEvents } from './decider';
export type { DomainEvent, IsoTimestamp } from './domain-event';
export { assertNever } from './assert-never';
export { GLOBAL_SCOPE, tenantScope, scopeKey, type Scope } from './scope';
export { SAFE_ID_PATTERN } from './validation';
