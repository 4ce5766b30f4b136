import type { KeyObject } from 'node:crypto';
import type { ExistingKeyState, SignerEntry } from '@keyledger/kms-domain';
import { kidOf } from '../crypto/signatures';
import type { Signers } from './signers';

/**
 * The registry entry of a tenant key version, when the registry has one for exactly that key
 * (a kid owned by something else is never used for it).
 */
export function keyVersionSigner(signers: Signers, key: ExistingKeyState, version: number): SignerEntry | undefined {
  const entry = signers.find(kidOf(key.keyId, version));
  if (!entry || entry.owner.kind !== 'key-version') return undefined;
  const { tenantId, keyId, version: v } = entry.owner;
  return tenantId === key.tenantId && keyId === key.keyId && v === version ? entry : undefined;
}

/**
 * The verification key of a key version from the signer registry: no provider call, so old
 * signatures verify while the provider is down. Undefined when the version is not registered yet.
 */
export function registeredPublicKey(signers: Signers, key: ExistingKeyState, version: number): KeyObject | undefined {
  const entry = keyVersionSigner(signers, key, version);
  return entry && signers.publicKeyOf(entry);
}
