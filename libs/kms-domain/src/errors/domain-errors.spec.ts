import {
  ApprovalNotAllowedError,
  DOMAIN_ERROR_CODES,
  InvalidStateTransitionError,
  isDomainError,
  isDomainErrorCode,
  KeyAlreadyExistsError,
  KeyDeletionNotDueError,
  KeyDestroyedError,
  KeyDisabledError,
  KeyledgerError,
  KeyNotFoundError,
  KeyPendingDeletionError,
  KeyVersionDestroyedError,
  KeyVersionNotAllowedError,
  RotationJobNotFoundError,
  SessionAlreadyExistsError,
  SessionNotActiveError,
  SessionNotFoundError,
  SignerKidReusedError,
  SignerNotFoundError,
  SigningFrozenError,
  ValidationError,
} from '../index';

const key = { tenantId: 'acme', keyId: 'k1' };
const samples = [
  new ValidationError('field', 'bad'),
  new InvalidStateTransitionError('Key', 'Enabled', 'EnableKey'),
  new KeyNotFoundError(key),
  new KeyAlreadyExistsError(key),
  new KeyDisabledError(key, 'sign'),
  new KeyPendingDeletionError(key, '2025-01-01T00:00:00.000Z'),
  new KeyDestroyedError(key),
  new KeyDeletionNotDueError(key, '2025-01-01T00:00:00.000Z'),
  new KeyVersionNotAllowedError(key, 1, 'below minimum'),
  new KeyVersionDestroyedError(key, 1, 2),
  new SessionNotFoundError('s1'),
  new SessionAlreadyExistsError('s1'),
  new SessionNotActiveError('s1', 'expired'),
  new ApprovalNotAllowedError('s1', 'requester'),
  new SigningFrozenError('global', 'KMS outage', '2025-01-01T00:00:00.000Z'),
  new SignerNotFoundError('kid'),
  new SignerKidReusedError('kid'),
  new RotationJobNotFoundError(),
];

describe('domain errors', () => {
  it('every code in DOMAIN_ERROR_CODES has exactly one error class, and vice versa', () => {
    expect(samples.map((e) => e.code).sort()).toEqual([...DOMAIN_ERROR_CODES].sort());
  });

  it('are KeyledgerErrors with their class name and a stable code', () => {
    for (const error of samples) {
      expect(error).toBeInstanceOf(KeyledgerError);
      expect(error.name).toBe(error.constructor.name);
      expect(isDomainError(error)).toBe(true);
    }
  });

  it('are recognised by brand, not by class', () => {
    const lookalike = Object.assign(new Error('from another copy'), { code: 'KEY_DISABLED' });
    expect(isDomainError(lookalike)).toBe(true);
    expect(isDomainError(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toBe(false);
    expect(isDomainError({ code: 'KEY_DISABLED' })).toBe(false);
    expect(isDomainErrorCode('SIGNING_FROZEN')).toBe(true);
    expect(isDomainErrorCode(42)).toBe(false);
  });

  it('key errors keep only the key ids, whatever object they were built from', () => {
    const command = { ...key, type: 'RotateKey', material: { wrappedMaterial: 'c2VjcmV0' } };
    const error = new KeyDisabledError(command, 'rotate');
    expect(error.key).toEqual(key);
    expect(JSON.stringify(error)).not.toContain('c2VjcmV0');
    expect(error.message).toBe('Key k1 of tenant acme is disabled and cannot rotate');
  });

  it('invalid transitions name the aggregate, state, command and detail', () => {
    expect(new InvalidStateTransitionError('Key', 'Enabled', 'EnableKey', 'already enabled').message).toBe(
      'Key in state Enabled does not accept EnableKey: already enabled',
    );
  });
});
