import { createPrivateKey, generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import {
  DATA_KEY_BYTES,
  isKmsProviderError,
  type AsymmetricKeySpec,
  type CreateAsymmetricKeyOptions,
  type EncryptionContext,
  type GeneratedDataKey,
  type KmsCallOptions,
  type KmsHealth,
  type KmsProvider,
  type ProviderKeyDescription,
  type ProviderKeyRef,
  type SigningAlgorithm,
} from '@keyledger/kms-domain';
import { signP256Digest } from '../shared/ecdsa-p256';
import { kmsError, throwIfAborted } from '../shared/kms-errors';
import * as v from '../shared/validation';
import { openLocalBlob, sealLocalBlob } from './local-blob';
import { LocalKeyStore, MASTER_STATE_MAX_AGE_MS, type LocalKeyState, type LocalResidentKey } from './local-key-store';
import { loadLocalMasterKey, type LocalMasterKeySource } from './local-master-key';

/** The warning the local provider logs at start; operators and alerts grep for it. */
export const LOCAL_KMS_WARNING = 'Using local KMS provider - NOT FOR PRODUCTION USE';
/** Key id of the local master key (what describeKey reports). */
export const LOCAL_MASTER_KEY_ID = 'local-master-key';

export interface LocalKmsOptions extends LocalMasterKeySource {
  /** Receives the start-up warning ({@link LOCAL_KMS_WARNING}). */
  readonly warn: (message: string) => void;
}

const RESIDENT_AAD_PREFIX = 'keyledger-local-resident:';

/**
 * Development-only provider: AES-256-GCM under a master key on disk (or from the environment),
 * with the encryption context bound as associated data so a mismatch fails as on AWS KMS.
 * Provider-resident P-256 keys are kept sealed under the master key in the data directory, which
 * several processes may share: each sees the others' keys and key states without a restart.
 */
export class LocalKmsProvider implements KmsProvider {
  readonly kind = 'local' as const;
  readonly masterKeyId = LOCAL_MASTER_KEY_ID;

  private constructor(
    private readonly masterKey: Buffer,
    private readonly store: LocalKeyStore,
  ) {}

  /** Loads or creates the master key, opens the key store and logs {@link LOCAL_KMS_WARNING}. */
  static async create(options: LocalKmsOptions): Promise<LocalKmsProvider> {
    const masterKey = await loadLocalMasterKey(options);
    const store = await LocalKeyStore.open(options.dataDir);
    options.warn(LOCAL_KMS_WARNING);
    return new LocalKmsProvider(masterKey, store);
  }

  async generateDataKey(context: EncryptionContext, options?: KmsCallOptions): Promise<GeneratedDataKey> {
    const plaintext = new Uint8Array(randomBytes(DATA_KEY_BYTES));
    const wrapped = await this.seal('generateDataKey', plaintext, context, options);
    return { plaintext, wrapped };
  }

  async encrypt(plaintext: Uint8Array, context: EncryptionContext, options?: KmsCallOptions): Promise<Uint8Array> {
    v.assertPlaintext(plaintext, 'local', 'encrypt');
    return this.seal('encrypt', plaintext, context, options);
  }

  async decrypt(wrapped: Uint8Array, context: EncryptionContext, options?: KmsCallOptions): Promise<Uint8Array> {
    this.precheck('decrypt', options);
    v.assertEncryptionContext(context, 'local', 'decrypt');
    v.assertCiphertext(wrapped, 'local', 'decrypt');
    await this.assertMasterEnabled('decrypt');
    const plaintext = openLocalBlob(this.masterKey, wrapped, v.canonicalEncryptionContext(context));
    if (plaintext === undefined) throw kmsError('local', 'decrypt', 'KMS_INVALID_CIPHERTEXT', 'the blob is invalid or the encryption context does not match');
    return new Uint8Array(plaintext);
  }

  async createAsymmetricKey(spec: AsymmetricKeySpec, options?: CreateAsymmetricKeyOptions): Promise<ProviderKeyRef> {
    this.precheck('createAsymmetricKey', options);
    if (spec !== 'ECC_NIST_P256') throw kmsError('local', 'createAsymmetricKey', 'KMS_UNSUPPORTED', 'only ECC_NIST_P256 is supported');
    const keyId = `local-ec-${randomUUID()}`;
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' });
    const wrappedPrivateKey = sealLocalBlob(this.masterKey, pkcs8, residentAad(keyId));
    await this.store.add(
      {
        keyId,
        spec,
        state: 'Enabled',
        createdAt: new Date().toISOString(),
        publicKey: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
        wrappedPrivateKey: Buffer.from(wrappedPrivateKey).toString('base64'),
      },
      options?.signal,
    );
    return { keyId };
  }

  /** Removes a resident key from the key store (every process on the data directory); false when it held none. */
  async destroyKey(keyId: string, options?: KmsCallOptions): Promise<boolean> {
    this.precheck('destroyKey', options);
    v.assertKeyId(keyId, 'local', 'destroyKey');
    if (keyId === LOCAL_MASTER_KEY_ID) throw kmsError('local', 'destroyKey', 'KMS_INVALID_REQUEST', 'only provider-resident keys can be destroyed');
    return this.store.remove(keyId, options?.signal);
  }

  async sign(keyId: string, digest: Uint8Array, algorithm: SigningAlgorithm, options?: KmsCallOptions): Promise<Uint8Array> {
    this.precheck('sign', options);
    v.assertSha256Digest(digest, 'local', 'sign');
    if (algorithm !== 'ECDSA_SHA_256') throw kmsError('local', 'sign', 'KMS_UNSUPPORTED', 'only ECDSA_SHA_256 is supported');
    const key = await this.usableKey(keyId, 'sign');
    const pkcs8 = openLocalBlob(this.masterKey, Buffer.from(key.wrappedPrivateKey, 'base64'), residentAad(keyId));
    if (pkcs8 === undefined) throw kmsError('local', 'sign', 'KMS_PROVIDER_FAILURE', 'the stored key cannot be opened with this master key');
    return signP256Digest(createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }), digest);
  }

  async getPublicKey(keyId: string, options?: KmsCallOptions): Promise<Uint8Array> {
    this.precheck('getPublicKey', options);
    const key = await this.usableKey(keyId, 'getPublicKey');
    return new Uint8Array(Buffer.from(key.publicKey, 'base64'));
  }

  async describeKey(keyId?: string, options?: KmsCallOptions): Promise<ProviderKeyDescription> {
    this.precheck('describeKey', options);
    if (keyId === undefined || keyId === LOCAL_MASTER_KEY_ID) {
      const state = await this.store.masterKeyState(0, 'describeKey');
      return { keyId: LOCAL_MASTER_KEY_ID, state, usage: 'ENCRYPT_DECRYPT', keySpec: 'SYMMETRIC_DEFAULT' };
    }
    const key = await this.findKey(keyId, 'describeKey');
    return { keyId, state: key.state, usage: 'SIGN_VERIFY', keySpec: key.spec };
  }

  async healthProbe(options?: KmsCallOptions): Promise<KmsHealth> {
    const started = performance.now();
    const latencyMs = () => Math.round(performance.now() - started);
    if (options?.signal?.aborted) return { status: 'down', provider: 'local', latencyMs: latencyMs(), code: 'KMS_ABORTED', reason: 'aborted' };
    let state: LocalKeyState;
    try {
      state = await this.store.masterKeyState(0, 'healthProbe');
    } catch (error) {
      const code = isKmsProviderError(error) ? error.code : 'KMS_PROVIDER_FAILURE';
      return { status: 'down', provider: 'local', latencyMs: latencyMs(), code, reason: 'the key store cannot be read' };
    }
    if (state !== 'Enabled') {
      return { status: 'down', provider: 'local', latencyMs: latencyMs(), code: 'KMS_KEY_DISABLED', reason: 'the master key is disabled' };
    }
    return { status: 'up', provider: 'local', latencyMs: latencyMs() };
  }

  /**
   * Operator switch (development and tests): enable or disable the master key or a resident key.
   * Written under the key store lock, so every process on the data directory sees it.
   */
  async setKeyState(keyId: string, state: LocalKeyState): Promise<void> {
    if (keyId === LOCAL_MASTER_KEY_ID) return this.store.setMasterKeyState(state);
    v.assertKeyId(keyId, 'local', 'setKeyState');
    return this.store.setKeyState(keyId, state);
  }

  async close(): Promise<void> {
    this.masterKey.fill(0);
  }

  private async seal(operation: string, plaintext: Uint8Array, context: EncryptionContext, options?: KmsCallOptions): Promise<Uint8Array> {
    this.precheck(operation, options);
    v.assertEncryptionContext(context, 'local', operation);
    await this.assertMasterEnabled(operation);
    return sealLocalBlob(this.masterKey, plaintext, v.canonicalEncryptionContext(context));
  }

  private precheck(operation: string, options: KmsCallOptions | undefined): void {
    throwIfAborted(options?.signal, 'local', operation);
  }

  /**
   * Another process's disable is seen within {@link MASTER_STATE_MAX_AGE_MS} (one stat per period
   * on this hot path), its enable at once: a cached "Disabled" is re-read before refusing.
   */
  private async assertMasterEnabled(operation: string): Promise<void> {
    if ((await this.store.masterKeyState(MASTER_STATE_MAX_AGE_MS, operation)) === 'Enabled') return;
    if ((await this.store.masterKeyState(0, operation)) === 'Enabled') return;
    throw kmsError('local', operation, 'KMS_KEY_DISABLED', 'the master key is disabled');
  }

  private async findKey(keyId: string, operation: string): Promise<LocalResidentKey> {
    v.assertKeyId(keyId, 'local', operation);
    const key = await this.store.find(keyId, operation);
    if (key === undefined) throw kmsError('local', operation, 'KMS_KEY_NOT_FOUND', 'no such key');
    return key;
  }

  private async usableKey(keyId: string, operation: string): Promise<LocalResidentKey> {
    const key = await this.findKey(keyId, operation);
    if (key.state !== 'Enabled') throw kmsError('local', operation, 'KMS_KEY_DISABLED', 'the key is disabled');
    return key;
  }
}

function residentAad(keyId: string): Uint8Array {
  return new TextEncoder().encode(RESIDENT_AAD_PREFIX + keyId);
}
