export * from './key-types';
export * from './key-events';
export * from './key-commands';
export { initialKeyState, evolveKey, type KeyData, type KeyState, type KeyStatus, type ExistingKeyState } from './key-state';
export { decideKey, keyDecider } from './key-decider';
export { authorizeKeyUse, type KeyOperation, type KeyUseRequest } from './key-usage';
export * from './rotation-policy';
export type { KeyMaterialWrapped } from './key-material';
