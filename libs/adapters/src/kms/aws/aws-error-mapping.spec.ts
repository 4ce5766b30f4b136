import { mapAwsError } from './aws-error-mapping';

const sdkError = (name: string, status?: number, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(`secret-bearing SDK text for ${name}`), { name, $metadata: { httpStatusCode: status }, ...extra });

describe('mapAwsError', () => {
  it.each([
    ['ThrottlingException', 400, 'KMS_THROTTLED', true],
    ['KMSInternalException', 500, 'KMS_UNAVAILABLE', true],
    ['DependencyTimeoutException', 503, 'KMS_UNAVAILABLE', true],
    ['AccessDeniedException', 400, 'KMS_ACCESS_DENIED', false],
    ['DisabledException', 400, 'KMS_KEY_DISABLED', false],
    ['KMSInvalidStateException', 400, 'KMS_INVALID_STATE', false],
    ['NotFoundException', 400, 'KMS_KEY_NOT_FOUND', false],
    ['InvalidCiphertextException', 400, 'KMS_INVALID_CIPHERTEXT', false],
    ['IncorrectKeyException', 400, 'KMS_INVALID_CIPHERTEXT', false],
    ['ValidationException', 400, 'KMS_INVALID_REQUEST', false],
    ['SomethingNew', 502, 'KMS_UNAVAILABLE', true],
    ['SomethingNew', 429, 'KMS_THROTTLED', true],
    ['SomethingNew', 403, 'KMS_ACCESS_DENIED', false],
    ['SomethingNew', 418, 'KMS_PROVIDER_FAILURE', false],
  ])('%s (HTTP %s) maps to %s', (name, status, code, transient) => {
    const error = mapAwsError(sdkError(name, status), 'decrypt', undefined);
    expect(error).toMatchObject({ code, transient, providerCode: name, httpStatus: status, provider: 'aws', operation: 'decrypt' });
    expect(error.message).not.toContain('secret-bearing');
  });

  it('maps socket errors to KMS_NETWORK, even when the SDK names them TimeoutError', () => {
    expect(mapAwsError(Object.assign(new Error('read ECONNRESET'), { name: 'TimeoutError', code: 'ECONNRESET' }), 'sign', undefined)).toMatchObject({
      code: 'KMS_NETWORK',
      providerCode: 'ECONNRESET',
    });
    expect(mapAwsError(new Error('socket hang up'), 'sign', undefined).code).toBe('KMS_NETWORK');
    expect(mapAwsError(Object.assign(new Error('x'), { name: 'TimeoutError' }), 'sign', undefined).code).toBe('KMS_TIMEOUT');
  });

  it('lets a fired signal win over whatever the SDK threw', () => {
    const controller = new AbortController();
    controller.abort();
    expect(mapAwsError(sdkError('ThrottlingException', 400), 'sign', controller.signal).code).toBe('KMS_ABORTED');
    const timedOut = AbortSignal.abort(new DOMException('late', 'TimeoutError'));
    expect(mapAwsError(new Error('aborted'), 'sign', timedOut).code).toBe('KMS_TIMEOUT');
  });

  it('maps missing credentials to KMS_MISCONFIGURED and anything unknown to a permanent provider failure', () => {
    expect(mapAwsError(sdkError('CredentialsProviderError'), 'encrypt', undefined).code).toBe('KMS_MISCONFIGURED');
    expect(mapAwsError('weird', 'encrypt', undefined)).toMatchObject({ code: 'KMS_PROVIDER_FAILURE', transient: false });
  });
});
