export { canonicalJson } from './canonical-json';
export {
  CHAIN_FAULT_HASH,
  CHAIN_FAULT_PREV_HASH,
  CHAIN_FAULT_REVISION,
  CHAIN_LINK_OK,
  chainHash,
  chainLinkFaults,
  expectedPrevHash,
  nextRevision,
  type StreamHead,
} from './chain-rule';
export { canonicalBody, type ChainedEvent, type EventParts } from './envelope';
export { InMemoryEventStore } from './in-memory-event-store';
export { pollingSubscription, type PollingOptions, type SubscriptionSource } from './polling-subscription';
export { DEFAULT_EVENTS_FILE, type SqliteStoreOptions, type SqliteSynchronous } from './sqlite/schema';
export { SqliteEventStore } from './sqlite/sqlite-event-store';
export { EsdbEventStore, type EsdbStoreOptions } from './esdb/esdb-event-store';
export { chainRecordOf, verifyChainRecords, verifyEventStore, type ChainBreak, type ChainBreakReason, type ChainRecord, type VerifyResult } from './verify';
export { openEventStore, type EventStoreSelection } from './open-event-store';
export { TimedEventStore, type AppendTimer } from './timed-event-store';
/** Test support: an in-process EventStoreDB gRPC server on the client package's own service definitions (tests of any project). */
export { startInProcessEsdb, type InProcessEsdb } from './esdb/testing/in-process-esdb-server';
