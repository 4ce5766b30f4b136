import { KeyledgerError } from '../errors/keyledger-error';
import { isKmsProviderError, isTransientKmsCode, KMS_ERROR_CODES, KmsProviderError } from './kms-provider';

describe('KmsProviderError', () => {
  it('classes throttling, 5xx, network, timeout and abort as transient and everything else as permanent', () => {
    const transient = KMS_ERROR_CODES.filter(isTransientKmsCode);
    expect(transient).toEqual(['KMS_THROTTLED', 'KMS_UNAVAILABLE', 'KMS_NETWORK', 'KMS_TIMEOUT', 'KMS_ABORTED']);
    expect(isTransientKmsCode('KMS_ACCESS_DENIED')).toBe(false);
    expect(isTransientKmsCode('KMS_INVALID_CIPHERTEXT')).toBe(false);
  });

  it('carries code, transient flag, provider facts and cause, and is a KeyledgerError', () => {
    const cause = new Error('underlying');
    const error = new KmsProviderError('KMS_THROTTLED', 'aws KMS sign failed: request throttled', {
      provider: 'aws',
      operation: 'sign',
      providerCode: 'ThrottlingException',
      httpStatus: 400,
      cause,
    });
    expect(error).toBeInstanceOf(KeyledgerError);
    expect(error).toMatchObject({ name: 'KmsProviderError', code: 'KMS_THROTTLED', transient: true, provider: 'aws', operation: 'sign', providerCode: 'ThrottlingException', httpStatus: 400 });
    expect(error.cause).toBe(cause);
  });

  it('is recognised by its brand, not by a look-alike', () => {
    expect(isKmsProviderError(new KmsProviderError('KMS_KEY_DISABLED', 'x', { provider: 'local', operation: 'sign' }))).toBe(true);
    expect(isKmsProviderError(Object.assign(new Error('x'), { code: 'KMS_THROTTLED', transient: true }))).toBe(true);
    expect(isKmsProviderError(Object.assign(new Error('x'), { code: 'ECONNRESET', transient: true }))).toBe(false);
    expect(isKmsProviderError({ code: 'KMS_THROTTLED', transient: true })).toBe(false);
  });
});
