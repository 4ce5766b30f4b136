/**
 * An AWS-shaped failure: the exception name goes out as `__type` (and `x-amzn-ErrorType`) with
 * the HTTP status AWS KMS uses for it, which is what `@aws-sdk/client-kms` turns into its errors.
 */
export class KmsApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = type;
  }
}

export const notFound = (what: string) => new KmsApiError('NotFoundException', `${what} is not found.`);
export const validation = (message: string) => new KmsApiError('ValidationException', message);
export const invalidCiphertext = () => new KmsApiError('InvalidCiphertextException', 'The ciphertext is invalid or the encryption context does not match.');
export const disabled = (arn: string) => new KmsApiError('DisabledException', `${arn} is disabled.`);
export const invalidState = (arn: string, state: string) => new KmsApiError('KMSInvalidStateException', `${arn} is ${state}.`);
export const unsupported = (message: string) => new KmsApiError('UnsupportedOperationException', message);
