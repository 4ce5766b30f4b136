import type { KmsErrorCode, KmsProviderError } from '@keyledger/kms-domain';
import { abortError, kmsError } from '../shared/kms-errors';

const BY_EXCEPTION: Readonly<Record<string, KmsErrorCode>> = {
  ThrottlingException: 'KMS_THROTTLED',
  LimitExceededException: 'KMS_THROTTLED',
  TooManyRequestsException: 'KMS_THROTTLED',
  KMSInternalException: 'KMS_UNAVAILABLE',
  DependencyTimeoutException: 'KMS_UNAVAILABLE',
  KeyUnavailableException: 'KMS_UNAVAILABLE',
  ServiceUnavailableException: 'KMS_UNAVAILABLE',
  InternalFailure: 'KMS_UNAVAILABLE',
  AccessDeniedException: 'KMS_ACCESS_DENIED',
  UnrecognizedClientException: 'KMS_ACCESS_DENIED',
  InvalidSignatureException: 'KMS_ACCESS_DENIED',
  ExpiredTokenException: 'KMS_ACCESS_DENIED',
  DisabledException: 'KMS_KEY_DISABLED',
  KMSInvalidStateException: 'KMS_INVALID_STATE',
  NotFoundException: 'KMS_KEY_NOT_FOUND',
  InvalidCiphertextException: 'KMS_INVALID_CIPHERTEXT',
  IncorrectKeyException: 'KMS_INVALID_CIPHERTEXT',
  ValidationException: 'KMS_INVALID_REQUEST',
  InvalidKeyUsageException: 'KMS_INVALID_REQUEST',
  InvalidGrantTokenException: 'KMS_INVALID_REQUEST',
  UnsupportedOperationException: 'KMS_UNSUPPORTED',
  CredentialsProviderError: 'KMS_MISCONFIGURED',
};

const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED']);

interface SdkErrorShape {
  readonly name?: string;
  readonly code?: string;
  readonly message?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

/**
 * Translates whatever the AWS SDK threw into the port's typed error: by exception name first,
 * then by HTTP status, then by network error code. A fired signal always wins (timeout/abort).
 * Only names and status codes are kept, never the SDK's message.
 */
export function mapAwsError(error: unknown, operation: string, signal: AbortSignal | undefined): KmsProviderError {
  if (signal?.aborted) return abortError(signal, 'aws', operation);
  const e = (typeof error === 'object' && error !== null ? error : {}) as SdkErrorShape;
  const status = e.$metadata?.httpStatusCode;
  const name = e.name ?? 'Error';
  const facts = { providerCode: name, httpStatus: status };
  const byName = BY_EXCEPTION[name];
  if (byName !== undefined) return kmsError('aws', operation, byName, describe(byName), facts);
  if (status !== undefined) return kmsError('aws', operation, codeForStatus(status), `HTTP ${status}`, facts);
  // Socket errors first: the SDK names some of them TimeoutError (ECONNRESET, for one).
  const networkCode = networkErrorCode(e);
  if (networkCode !== undefined) return kmsError('aws', operation, 'KMS_NETWORK', 'network failure', { providerCode: networkCode });
  if (name === 'AbortError') return kmsError('aws', operation, 'KMS_ABORTED', 'the call was aborted', facts);
  if (name === 'TimeoutError') return kmsError('aws', operation, 'KMS_TIMEOUT', 'the SDK timed out', facts);
  return kmsError('aws', operation, 'KMS_PROVIDER_FAILURE', 'unexpected SDK failure', facts);
}

function codeForStatus(status: number): KmsErrorCode {
  if (status === 429) return 'KMS_THROTTLED';
  if (status >= 500) return 'KMS_UNAVAILABLE';
  if (status === 401 || status === 403) return 'KMS_ACCESS_DENIED';
  if (status === 404) return 'KMS_KEY_NOT_FOUND';
  return 'KMS_PROVIDER_FAILURE';
}

function networkErrorCode(e: SdkErrorShape): string | undefined {
  if (e.code !== undefined && NETWORK_CODES.has(e.code)) return e.code;
  if (e.message === 'socket hang up') return 'ECONNRESET';
  // The SDK re-wraps errors it cannot recognise as Error (another realm, e.g. under Jest) into
  // "AWS SDK error wrapper for TimeoutError: read ECONNRESET": the code survives only in the text.
  const inMessage = /\b(E[A-Z]+)\b/.exec(e.message ?? '')?.[1];
  return inMessage !== undefined && NETWORK_CODES.has(inMessage) ? inMessage : undefined;
}

function describe(code: KmsErrorCode): string {
  switch (code) {
    case 'KMS_THROTTLED':
      return 'request throttled';
    case 'KMS_UNAVAILABLE':
      return 'service unavailable';
    case 'KMS_ACCESS_DENIED':
      return 'access denied';
    case 'KMS_KEY_DISABLED':
      return 'the key is disabled';
    case 'KMS_INVALID_STATE':
      return 'the key is not in a usable state';
    case 'KMS_KEY_NOT_FOUND':
      return 'no such key';
    case 'KMS_INVALID_CIPHERTEXT':
      return 'the blob is invalid or the encryption context does not match';
    case 'KMS_MISCONFIGURED':
      return 'no usable AWS credentials';
    default:
      return 'request rejected';
  }
}
