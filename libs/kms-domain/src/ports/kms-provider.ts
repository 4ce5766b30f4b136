import { KeyledgerError } from '../errors/keyledger-error';

/**
 * The KMS provider port: everything keyledger asks of AWS KMS, an HSM or the local development
 * provider. Tenant key material is wrapped under the provider's master key with an encryption
 * context that must match exactly on unwrap; provider-resident keys sign inside the provider.
 * Every call takes an AbortSignal so the resilience layer's timeout really ends the call.
 */
export interface KmsProvider {
  readonly kind: KmsProviderKind;
  /** The master key this provider wraps under (id, ARN, alias or token label). */
  readonly masterKeyId: string;
  /** A fresh AES-256 data key: its plaintext and the same key wrapped for `context`. */
  generateDataKey(context: EncryptionContext, options?: KmsCallOptions): Promise<GeneratedDataKey>;
  /** Wraps up to {@link MAX_ENCRYPT_PLAINTEXT_BYTES} bytes (e.g. a generated private key) for `context`. */
  encrypt(plaintext: Uint8Array, context: EncryptionContext, options?: KmsCallOptions): Promise<Uint8Array>;
  /** Unwraps a blob from `encrypt`/`generateDataKey`; fails with KMS_INVALID_CIPHERTEXT unless `context` matches exactly. */
  decrypt(wrapped: Uint8Array, context: EncryptionContext, options?: KmsCallOptions): Promise<Uint8Array>;
  /** Creates a key that never leaves the provider, for `options.role` (default `tenant`); returns its provider key id. */
  createAsymmetricKey(spec: AsymmetricKeySpec, options?: CreateAsymmetricKeyOptions): Promise<ProviderKeyRef>;
  /**
   * Deletes a provider-resident key for good (a destroyed keyledger key): the HSM objects are
   * removed, AWS schedules the deletion with its shortest window. True when something was deleted
   * or scheduled, false when the provider holds no such key (already gone). Never the master key.
   */
  destroyKey(keyId: string, options?: KmsCallOptions): Promise<boolean>;
  /** Signs a precomputed digest with a provider-resident key; the signature is DER encoded. */
  sign(keyId: string, digest: Uint8Array, algorithm: SigningAlgorithm, options?: KmsCallOptions): Promise<Uint8Array>;
  /** The public key of a provider-resident key as DER SubjectPublicKeyInfo. */
  getPublicKey(keyId: string, options?: KmsCallOptions): Promise<Uint8Array>;
  /** State and usage of a key; the master key when `keyId` is omitted. */
  describeKey(keyId?: string, options?: KmsCallOptions): Promise<ProviderKeyDescription>;
  /** A cheap liveness check of the provider and its master key; a value, never a throw. */
  healthProbe(options?: KmsCallOptions): Promise<KmsHealth>;
  /** Releases connections or sessions. */
  close(): Promise<void>;
}

export type KmsProviderKind = 'local' | 'aws' | 'pkcs11';

/** Key/value pairs bound to a wrapped blob; decrypt needs exactly the same pairs (order does not matter). */
export type EncryptionContext = Readonly<Record<string, string>>;

export interface KmsCallOptions {
  readonly signal?: AbortSignal;
}

/** What a provider-resident key is for; names the HSM object (`keyledger-<role>-…`) and the AWS key description. */
export type ProviderKeyRole = 'tenant' | 'audit';

export interface CreateAsymmetricKeyOptions extends KmsCallOptions {
  readonly role?: ProviderKeyRole;
}

export interface GeneratedDataKey {
  readonly plaintext: Uint8Array;
  readonly wrapped: Uint8Array;
}

export type AsymmetricKeySpec = 'ECC_NIST_P256';
export type SigningAlgorithm = 'ECDSA_SHA_256';

export interface ProviderKeyRef {
  readonly keyId: string;
}

export type ProviderKeyState = 'Enabled' | 'Disabled' | 'PendingDeletion' | 'PendingImport' | 'Unavailable';
export type ProviderKeyUsage = 'ENCRYPT_DECRYPT' | 'SIGN_VERIFY';

export interface ProviderKeyDescription {
  readonly keyId: string;
  readonly state: ProviderKeyState;
  readonly usage: ProviderKeyUsage;
  readonly keySpec: 'SYMMETRIC_DEFAULT' | AsymmetricKeySpec;
}

export type KmsHealth =
  | { readonly status: 'up'; readonly provider: KmsProviderKind; readonly latencyMs: number }
  | {
      readonly status: 'down';
      readonly provider: KmsProviderKind;
      readonly latencyMs: number;
      readonly code: KmsErrorCode;
      readonly reason: string;
    };

/** AWS KMS's limit for Encrypt, kept for every provider so behaviour does not depend on the provider. */
export const MAX_ENCRYPT_PLAINTEXT_BYTES = 4096;
/** Size of generated data keys (AES-256). */
export const DATA_KEY_BYTES = 32;
/** Digest size accepted by ECDSA_SHA_256. */
export const SHA256_DIGEST_BYTES = 32;

const TRANSIENT_CODES = {
  KMS_THROTTLED: true,
  KMS_UNAVAILABLE: true,
  KMS_NETWORK: true,
  KMS_TIMEOUT: true,
  KMS_ABORTED: true,
  KMS_ACCESS_DENIED: false,
  KMS_KEY_DISABLED: false,
  KMS_KEY_NOT_FOUND: false,
  KMS_INVALID_CIPHERTEXT: false,
  KMS_INVALID_STATE: false,
  KMS_INVALID_REQUEST: false,
  KMS_UNSUPPORTED: false,
  KMS_MISCONFIGURED: false,
  KMS_LOCAL_PROVIDER_REFUSED: false,
  KMS_PROVIDER_FAILURE: false,
  /** The provider answered a signature that does not verify with the key's public key (checked before it is returned). */
  KMS_SIGNATURE_INVALID: false,
} as const;

/**
 * Stable codes of provider failures. Transient ones (throttling, 5xx, network, timeout, abort) may
 * succeed on retry; the rest will not until someone changes something.
 */
export type KmsErrorCode = keyof typeof TRANSIENT_CODES;

export const KMS_ERROR_CODES = Object.keys(TRANSIENT_CODES) as readonly KmsErrorCode[];

/** Whether a code is retryable (the resilience layer counts and retries only these). */
export function isTransientKmsCode(code: KmsErrorCode): boolean {
  return TRANSIENT_CODES[code];
}

export interface KmsProviderErrorDetails {
  readonly provider: KmsProviderKind;
  /** The port operation that failed, e.g. `decrypt`. */
  readonly operation: string;
  /** The provider's own error name (AWS exception name, PKCS#11 CKR_*, ...), when there is one. */
  readonly providerCode?: string;
  readonly httpStatus?: number;
  readonly cause?: unknown;
}

/**
 * A provider call failed. `code` is stable, `transient` says whether retrying can help, and
 * `providerCode` keeps the provider's own name for diagnosis. The message names the operation and
 * codes only: never key material, plaintext, ciphertext or credentials.
 */
export class KmsProviderError extends KeyledgerError {
  readonly code: KmsErrorCode;
  readonly transient: boolean;
  readonly provider: KmsProviderKind;
  readonly operation: string;
  readonly providerCode: string | undefined;
  readonly httpStatus: number | undefined;

  constructor(code: KmsErrorCode, message: string, details: KmsProviderErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.transient = isTransientKmsCode(code);
    this.provider = details.provider;
    this.operation = details.operation;
    this.providerCode = details.providerCode;
    this.httpStatus = details.httpStatus;
  }
}

/** Brand check that survives duplicated module instances (no `instanceof` across realms). */
export function isKmsProviderError(value: unknown): value is KmsProviderError {
  return (
    value instanceof Error &&
    typeof (value as Partial<KmsProviderError>).code === 'string' &&
    typeof (value as Partial<KmsProviderError>).transient === 'boolean' &&
    (KMS_ERROR_CODES as readonly string[]).includes((value as KmsProviderError).code)
  );
}
