import { createPublicKey } from 'node:crypto';
import type { KmsCallOptions, KmsProvider, ProviderKeyRef, SigningAlgorithm } from '@keyledger/kms-domain';

/** Where emergency keys live. */
export type EmergencyKeyLocation = 'hsm' | 'memory';

/**
 * Custody of break-glass emergency keys (ECDSA P-256), one per session, named by the session's
 * kid. Private keys never leave the custody: it creates, signs digests and destroys.
 */
export interface EmergencyKeyCustody {
  readonly location: EmergencyKeyLocation;
  /** Creates the key of `kid`; returns its public key (PEM SPKI). */
  create(kid: string): Promise<string>;
  /** Signs a SHA-256 digest (DER ECDSA); EMERGENCY_KEY_UNAVAILABLE when no key is held for `kid`. */
  sign(kid: string, digest: Uint8Array): Promise<Buffer>;
  /** Whether this custody still holds the key of `kid` (after a restart, memory holds nothing). */
  holds(kid: string): Promise<boolean>;
  /** Destroys the key of `kid`; false when there was none to destroy. */
  destroy(kid: string): Promise<boolean>;
}

/**
 * What an HSM provider offers beyond the KMS port for emergency keys (the PKCS#11 provider has it):
 * P-256 keys created under a label (so a restarted process finds them again) and destroyed by id.
 */
export interface EmergencyKeyHsm {
  createLabelledKey(label: string, options?: KmsCallOptions): Promise<ProviderKeyRef>;
  findKeyByLabel(label: string, options?: KmsCallOptions): Promise<string | null>;
  destroyKey(keyId: string, options?: KmsCallOptions): Promise<boolean>;
  sign(keyId: string, digest: Uint8Array, algorithm: SigningAlgorithm, options?: KmsCallOptions): Promise<Uint8Array>;
  getPublicKey(keyId: string, options?: KmsCallOptions): Promise<Uint8Array>;
}

/** Whether the provider can hold emergency keys itself (PKCS#11). */
export function isEmergencyKeyHsm(provider: KmsProvider): provider is KmsProvider & EmergencyKeyHsm {
  const p = provider as Partial<EmergencyKeyHsm>;
  return typeof p.createLabelledKey === 'function' && typeof p.findKeyByLabel === 'function' && typeof p.destroyKey === 'function';
}

/** PEM SPKI of a DER SPKI public key. */
export function spkiPem(der: Uint8Array): string {
  return createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' }).export({ type: 'spki', format: 'pem' }).toString();
}
