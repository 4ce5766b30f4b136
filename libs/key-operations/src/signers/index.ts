export { Signers } from './signers';
export type { SignerInput } from './signers';
export { keyVersionSigner, registeredPublicKey } from './registered-keys';
export { handleRegistryCommand, registryEntry } from './registry-commands';
