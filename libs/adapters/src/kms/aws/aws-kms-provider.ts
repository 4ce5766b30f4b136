import {
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GetPublicKeyCommand,
  KMSClient,
  ScheduleKeyDeletionCommand,
  SignCommand,
  type KeyMetadata,
} from '@aws-sdk/client-kms';
import type {
  AsymmetricKeySpec,
  CreateAsymmetricKeyOptions,
  EncryptionContext,
  GeneratedDataKey,
  KmsCallOptions,
  KmsHealth,
  KmsProvider,
  ProviderKeyDescription,
  ProviderKeyRef,
  ProviderKeyRole,
  ProviderKeyState,
  SigningAlgorithm,
} from '@keyledger/kms-domain';
import { isKmsProviderError } from '@keyledger/kms-domain';
import { kmsError, throwIfAborted, withTimeout } from '../shared/kms-errors';
import * as v from '../shared/validation';
import { mapAwsError } from './aws-error-mapping';

export interface AwsKmsOptions {
  /** `AWS_KMS_MASTER_KEY_ID`: key id, key ARN, alias name or alias ARN. */
  readonly masterKeyId: string;
  /** `AWS_REGION`. */
  readonly region: string;
  /** `AWS_KMS_ENDPOINT`: e.g. the loopback kms-test-server. */
  readonly endpoint?: string;
  /** Static credentials; the SDK's default chain when omitted. */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken?: string };
  /** Optional cap per call on top of the caller's signal. */
  readonly callTimeoutMs?: number;
}

type Send = KMSClient['send'];

/**
 * AWS KMS through `@aws-sdk/client-kms`. The SDK's own retries are off (`maxAttempts: 1`)
 * because the resilience layer owns retries; every call carries the caller's abort signal, and
 * every SDK failure becomes a typed port error (see mapAwsError).
 */
export class AwsKmsProvider implements KmsProvider {
  readonly kind = 'aws' as const;
  readonly masterKeyId: string;

  private constructor(
    private readonly client: KMSClient,
    private readonly options: AwsKmsOptions,
  ) {
    this.masterKeyId = options.masterKeyId;
  }

  static async create(options: AwsKmsOptions): Promise<AwsKmsProvider> {
    if (!options.masterKeyId) throw kmsError('aws', 'start', 'KMS_MISCONFIGURED', 'AWS_KMS_MASTER_KEY_ID is required');
    if (!options.region) throw kmsError('aws', 'start', 'KMS_MISCONFIGURED', 'AWS_REGION is required');
    const client = new KMSClient({
      region: options.region,
      maxAttempts: 1,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.credentials ? { credentials: options.credentials } : {}),
    });
    return new AwsKmsProvider(client, options);
  }

  async generateDataKey(context: EncryptionContext, options?: KmsCallOptions): Promise<GeneratedDataKey> {
    v.assertEncryptionContext(context, 'aws', 'generateDataKey');
    const out = await this.call('generateDataKey', options, (send, abortSignal) =>
      send(new GenerateDataKeyCommand({ KeyId: this.masterKeyId, KeySpec: 'AES_256', EncryptionContext: { ...context } }), { abortSignal }),
    );
    if (!out.Plaintext || !out.CiphertextBlob) throw this.malformed('generateDataKey');
    return { plaintext: out.Plaintext, wrapped: out.CiphertextBlob };
  }

  async encrypt(plaintext: Uint8Array, context: EncryptionContext, options?: KmsCallOptions): Promise<Uint8Array> {
    v.assertPlaintext(plaintext, 'aws', 'encrypt');
    v.assertEncryptionContext(context, 'aws', 'encrypt');
    const out = await this.call('encrypt', options, (send, abortSignal) =>
      send(new EncryptCommand({ KeyId: this.masterKeyId, Plaintext: plaintext, EncryptionContext: { ...context } }), { abortSignal }),
    );
    if (!out.CiphertextBlob) throw this.malformed('encrypt');
    return out.CiphertextBlob;
  }

  async decrypt(wrapped: Uint8Array, context: EncryptionContext, options?: KmsCallOptions): Promise<Uint8Array> {
    v.assertCiphertext(wrapped, 'aws', 'decrypt');
    v.assertEncryptionContext(context, 'aws', 'decrypt');
    const out = await this.call('decrypt', options, (send, abortSignal) =>
      send(new DecryptCommand({ KeyId: this.masterKeyId, CiphertextBlob: wrapped, EncryptionContext: { ...context } }), { abortSignal }),
    );
    if (!out.Plaintext) throw this.malformed('decrypt');
    return out.Plaintext;
  }

  async createAsymmetricKey(spec: AsymmetricKeySpec, options?: CreateAsymmetricKeyOptions): Promise<ProviderKeyRef> {
    const description = DESCRIPTIONS[options?.role ?? 'tenant'];
    if (description === undefined) throw kmsError('aws', 'createAsymmetricKey', 'KMS_INVALID_REQUEST', 'unknown key role');
    const out = await this.call('createAsymmetricKey', options, (send, abortSignal) =>
      send(new CreateKeyCommand({ KeySpec: spec, KeyUsage: 'SIGN_VERIFY', Description: description }), { abortSignal }),
    );
    if (!out.KeyMetadata?.KeyId) throw this.malformed('createAsymmetricKey');
    return { keyId: out.KeyMetadata.KeyId };
  }

  /**
   * Schedules the deletion of a resident key with AWS's shortest window (7 days; the key is
   * unusable from now on). False when AWS no longer has the key or its deletion is already
   * scheduled. The master key is refused.
   */
  async destroyKey(keyId: string, options?: KmsCallOptions): Promise<boolean> {
    v.assertKeyId(keyId, 'aws', 'destroyKey');
    if (keyId === this.masterKeyId || keyId.startsWith('alias/')) {
      throw kmsError('aws', 'destroyKey', 'KMS_INVALID_REQUEST', 'only provider-resident keys can be destroyed');
    }
    try {
      await this.call('destroyKey', options, (send, abortSignal) =>
        send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: AWS_MIN_DELETION_WINDOW_DAYS }), { abortSignal }),
      );
      return true;
    } catch (error) {
      if (isKmsProviderError(error) && (error.code === 'KMS_KEY_NOT_FOUND' || error.code === 'KMS_INVALID_STATE')) return false;
      throw error;
    }
  }

  async sign(keyId: string, digest: Uint8Array, algorithm: SigningAlgorithm, options?: KmsCallOptions): Promise<Uint8Array> {
    v.assertKeyId(keyId, 'aws', 'sign');
    v.assertSha256Digest(digest, 'aws', 'sign');
    const out = await this.call('sign', options, (send, abortSignal) =>
      send(new SignCommand({ KeyId: keyId, Message: digest, MessageType: 'DIGEST', SigningAlgorithm: algorithm }), { abortSignal }),
    );
    if (!out.Signature) throw this.malformed('sign');
    return out.Signature;
  }

  async getPublicKey(keyId: string, options?: KmsCallOptions): Promise<Uint8Array> {
    v.assertKeyId(keyId, 'aws', 'getPublicKey');
    const out = await this.call('getPublicKey', options, (send, abortSignal) => send(new GetPublicKeyCommand({ KeyId: keyId }), { abortSignal }));
    if (!out.PublicKey) throw this.malformed('getPublicKey');
    return out.PublicKey;
  }

  async describeKey(keyId?: string, options?: KmsCallOptions): Promise<ProviderKeyDescription> {
    const id = keyId ?? this.masterKeyId;
    v.assertKeyId(id, 'aws', 'describeKey');
    const out = await this.call('describeKey', options, (send, abortSignal) => send(new DescribeKeyCommand({ KeyId: id }), { abortSignal }));
    if (!out.KeyMetadata) throw this.malformed('describeKey');
    return describeMetadata(id, out.KeyMetadata);
  }

  async healthProbe(options?: KmsCallOptions): Promise<KmsHealth> {
    const started = performance.now();
    const latencyMs = () => Math.round(performance.now() - started);
    try {
      const { state } = await this.describeKey(undefined, options);
      if (state === 'Enabled') return { status: 'up', provider: 'aws', latencyMs: latencyMs() };
      const code = state === 'Disabled' ? 'KMS_KEY_DISABLED' : 'KMS_INVALID_STATE';
      return { status: 'down', provider: 'aws', latencyMs: latencyMs(), code, reason: `master key is ${state}` };
    } catch (error) {
      if (!isKmsProviderError(error)) throw error;
      return { status: 'down', provider: 'aws', latencyMs: latencyMs(), code: error.code, reason: error.message };
    }
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  private async call<T>(operation: string, options: KmsCallOptions | undefined, run: (send: Send, signal: AbortSignal | undefined) => Promise<T>): Promise<T> {
    const signal = withTimeout(options?.signal, this.options.callTimeoutMs);
    throwIfAborted(signal, 'aws', operation);
    try {
      return await run(this.client.send.bind(this.client) as Send, signal);
    } catch (error) {
      throw mapAwsError(error, operation, signal);
    }
  }

  private malformed(operation: string) {
    return kmsError('aws', operation, 'KMS_PROVIDER_FAILURE', 'the response lacks a required field');
  }
}

/** AWS KMS's shortest `PendingWindowInDays` for ScheduleKeyDeletion. */
export const AWS_MIN_DELETION_WINDOW_DAYS = 7;

const DESCRIPTIONS: Readonly<Record<ProviderKeyRole, string>> = {
  tenant: 'keyledger tenant signing key (provider-resident)',
  audit: 'keyledger audit checkpoint key',
};

const STATES: Readonly<Record<string, ProviderKeyState>> = {
  Enabled: 'Enabled',
  Disabled: 'Disabled',
  PendingDeletion: 'PendingDeletion',
  PendingImport: 'PendingImport',
};

function describeMetadata(requestedId: string, metadata: KeyMetadata): ProviderKeyDescription {
  const signing = metadata.KeyUsage === 'SIGN_VERIFY';
  return {
    keyId: metadata.KeyId ?? requestedId,
    state: STATES[metadata.KeyState ?? ''] ?? 'Unavailable',
    usage: signing ? 'SIGN_VERIFY' : 'ENCRYPT_DECRYPT',
    keySpec: signing ? 'ECC_NIST_P256' : 'SYMMETRIC_DEFAULT',
  };
}
