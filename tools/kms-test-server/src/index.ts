export { startKmsTestServer, type KmsTestServer, type KmsTestServerOptions } from './server';
export { FaultController, FAULT_MODES, NO_FAULTS, parseFaultSettings, type FaultMode, type FaultSettings, type FaultStats } from './faults';
export { KeyStore, type KmsKey } from './key-store';
export { SUPPORTED_OPERATIONS } from './operations';
export { parseServerArgs, DEFAULT_PORT, DEFAULT_ALIAS } from './args';
export { runFaultCommand } from './fault-command';
