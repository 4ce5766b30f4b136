import { createHash, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import {
  decodeKeyMaterialEvent,
  keyMaterialStream,
  keyMaterialVersionStream,
  ValidationError,
  type EncryptionContext,
  type KeyAlgorithm,
  type KeyMaterialRef,
  type KeyMaterialWrapped,
  type KeyMode,
  type KeyPurpose,
  readWholeStream,
} from '@keyledger/kms-domain';
import type { Actor, KeyOperationsPorts } from '../deps';
import { KeyOperationError } from '../errors';
import { toNewEvents } from '../keys/event-context';
import type { BreakerName, ProviderGateway } from '../provider/provider-gateway';
import { macKeyBytes } from '../crypto/mac';

/** The breaker a key's provider calls go through. */
export const breakerFor = (purpose: KeyPurpose): BreakerName => (purpose === 'sign' ? 'kms-signing-key' : 'kms-encryption-key');

/**
 * Encryption context binding wrapped material to one tenant, key and version: the provider refuses
 * to unwrap it for anything else.
 */
export function materialContext(tenantId: string, keyId: string, version: number): EncryptionContext {
  return { purpose: 'keyledger-key-material', tenantId, keyId, keyVersion: String(version) };
}

/** Fresh secret material: a PKCS#8 DER private key for signing algorithms, 32 random bytes for AES, a hash block of random bytes for HMAC. */
export function generateMaterial(algorithm: KeyAlgorithm): Buffer {
  const pkcs8 = (key: KeyObject): Buffer => key.export({ type: 'pkcs8', format: 'der' });
  switch (algorithm) {
    case 'ECDSA_P256_SHA256':
      return pkcs8(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
    case 'ED25519':
      return pkcs8(generateKeyPairSync('ed25519').privateKey);
    case 'RSA_PSS_2048_SHA256':
      return pkcs8(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey);
    case 'RSA_PSS_3072_SHA256':
      return pkcs8(generateKeyPairSync('rsa', { modulusLength: 3072 }).privateKey);
    case 'AES_256_GCM':
      return randomBytes(32);
    case 'HMAC_SHA256':
    case 'HMAC_SHA384':
    case 'HMAC_SHA512':
      return randomBytes(macKeyBytes(algorithm));
    default: {
      const unknown: never = algorithm;
      throw new ValidationError('algorithm', `unsupported algorithm ${String(unknown)}`);
    }
  }
}

/** What a new version needs to get material. */
export interface NewVersionSpec {
  readonly tenantId: string;
  readonly keyId: string;
  readonly version: number;
  readonly purpose: KeyPurpose;
  readonly algorithm: KeyAlgorithm;
  readonly mode: KeyMode;
}

/**
 * Creates the material of a new key version and returns the reference the lifecycle event
 * records. `wrapped`: generated here, wrapped by the provider under {@link materialContext}, the
 * wrapped blob appended to the key's material stream, the plaintext overwritten. `provider-resident`:
 * a P-256 key created inside the provider.
 */
export async function provisionMaterial(
  ports: KeyOperationsPorts,
  gateway: ProviderGateway,
  actor: Actor,
  spec: NewVersionSpec,
  now: Date,
): Promise<KeyMaterialRef> {
  const breaker = breakerFor(spec.purpose);
  if (spec.mode === 'provider-resident') {
    if (spec.algorithm !== 'ECDSA_P256_SHA256') {
      throw new ValidationError('mode', 'provider-resident keys support ECDSA_P256_SHA256 only');
    }
    const ref = await gateway.call(breaker, 'create_key', (p, signal) => p.createAsymmetricKey('ECC_NIST_P256', { signal, role: 'tenant' }));
    return { mode: 'provider-resident', providerKeyRef: ref.keyId };
  }
  const plaintext = generateMaterial(spec.algorithm);
  const context = materialContext(spec.tenantId, spec.keyId, spec.version);
  try {
    const wrapped = await gateway.call(breaker, 'encrypt', (p, signal) => p.encrypt(plaintext, context, { signal }));
    const sha = createHash('sha256').update(wrapped).digest('hex');
    const event: KeyMaterialWrapped = {
      type: 'KeyMaterialWrapped',
      schemaVersion: 1,
      data: {
        tenantId: spec.tenantId,
        keyId: spec.keyId,
        version: spec.version,
        wrappedMaterial: Buffer.from(wrapped).toString('base64'),
        wrappedMaterialSha256: sha,
        masterKeyRef: gateway.provider.masterKeyId,
        encryptionContext: context,
        wrappedAt: now.toISOString(),
      },
    };
    // One stream per version, so a trim can shred a version alone (O(1) reads, no per-key scan).
    await ports.store.append(keyMaterialVersionStream(spec.tenantId, spec.keyId, spec.version), toNewEvents([event], actor, now, ports.ids));
    return { mode: 'wrapped', wrappedMaterialSha256: sha, masterKeyRef: gateway.provider.masterKeyId };
  } finally {
    plaintext.fill(0);
  }
}

/**
 * The stored wrapped-material records of one version: its own stream, else (versions written before
 * per-version streams) the key's shared material stream.
 */
export async function wrappedRecordsOf(ports: KeyOperationsPorts, tenantId: string, keyId: string, version: number): Promise<KeyMaterialWrapped['data'][]> {
  const own = await readWholeStream(ports.store, keyMaterialVersionStream(tenantId, keyId, version));
  const recorded = own.length > 0 ? own : await readWholeStream(ports.store, keyMaterialStream(tenantId, keyId));
  return recorded.map((r) => decodeKeyMaterialEvent(r).data).filter((d) => d.version === version);
}

/**
 * Reads the wrapped blob a lifecycle reference points at (matched by its SHA-256, so a blob left
 * by a lost concurrent rotation is never used) and unwraps it through the provider.
 */
export async function unwrapMaterial(
  ports: KeyOperationsPorts,
  gateway: ProviderGateway,
  key: { readonly tenantId: string; readonly keyId: string; readonly purpose: KeyPurpose },
  version: number,
  ref: Extract<KeyMaterialRef, { mode: 'wrapped' }>,
): Promise<Buffer> {
  const match = (await wrappedRecordsOf(ports, key.tenantId, key.keyId, version)).find((d) => d.wrappedMaterialSha256 === ref.wrappedMaterialSha256);
  if (!match) {
    throw new KeyOperationError('KEY_MATERIAL_UNAVAILABLE', `Key ${key.keyId} version ${version} has no stored material`);
  }
  const wrapped = Buffer.from(match.wrappedMaterial, 'base64');
  const context = materialContext(key.tenantId, key.keyId, version);
  const plaintext = await gateway.call(breakerFor(key.purpose), 'decrypt', (p, signal) => p.decrypt(wrapped, context, { signal }));
  return Buffer.from(plaintext.buffer, plaintext.byteOffset, plaintext.byteLength);
}
