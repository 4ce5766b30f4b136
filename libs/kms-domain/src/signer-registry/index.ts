export * from './signer-registry-types';
export { decideSignerRegistry, evolveSignerRegistry, signerRegistryDecider, MAX_PUBLIC_KEY_LENGTH } from './signer-registry';
export { isSignerValidAt, findSigner } from './signer-validity';
