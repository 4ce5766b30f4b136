export { Signers } from './signers';
export type { SignerInput } from './signers';
export { keyVersionSigner, registeredPublicKey } from './registered-keys';
export { SignerRegistryWriter, registryEntry } from './registry-commands';
export type { RegistryPlan, RegistryWrite } from './registry-commands';
