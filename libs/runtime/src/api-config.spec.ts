import { ConfigError } from './env';
import { loadApiConfig } from './api-config';

describe('loadApiConfig: JWT claim rules', () => {
  it('defaults the subject claim to sub and the token lifetime bound to 1440 minutes', () => {
    expect(loadApiConfig({})).toMatchObject({ authSubjectClaim: 'sub', authMaxTokenLifetimeMinutes: 1440 });
    expect(loadApiConfig({ AUTH_SUBJECT_CLAIM: 'email', AUTH_MAX_TOKEN_LIFETIME_MINUTES: '15' })).toMatchObject({ authSubjectClaim: 'email', authMaxTokenLifetimeMinutes: 15 });
  });

  it.each(['0', '525601', '1.5', 'forever'])('refuses AUTH_MAX_TOKEN_LIFETIME_MINUTES=%s with a ConfigError', (value) => {
    expect(() => loadApiConfig({ AUTH_MAX_TOKEN_LIFETIME_MINUTES: value })).toThrow(ConfigError);
    expect(() => loadApiConfig({ AUTH_MAX_TOKEN_LIFETIME_MINUTES: value })).toThrow(/AUTH_MAX_TOKEN_LIFETIME_MINUTES=.*expected whole minutes 1\.\.525600/);
  });

  it('refuses a subject claim with surrounding spaces', () => {
    expect(() => loadApiConfig({ AUTH_SUBJECT_CLAIM: ' sub' })).toThrow(/AUTH_SUBJECT_CLAIM=" sub" has leading or trailing spaces/);
  });
});

describe('loadApiConfig: LOCAL_KMS_MASTER_KEY', () => {
  const good = Buffer.alloc(32, 7).toString('base64');

  it('accepts standard base64 of 32 bytes, surrounding whitespace ignored', () => {
    expect(loadApiConfig({ LOCAL_KMS_MASTER_KEY: good }).localMasterKey).toBe(good);
    expect(loadApiConfig({ LOCAL_KMS_MASTER_KEY: `${good}\n` }).localMasterKey).toBe(`${good}\n`);
  });

  it.each([
    ['not base64', 'not base64 at all!'],
    ['16 bytes', Buffer.alloc(16, 7).toString('base64')],
    ['33 bytes', Buffer.alloc(33, 7).toString('base64')],
    ['base64url', Buffer.alloc(32, 0xfb).toString('base64url')],
  ])('refuses a value that is %s with a ConfigError that hides the value', (_label, value) => {
    let error: unknown;
    try {
      loadApiConfig({ LOCAL_KMS_MASTER_KEY: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual(['LOCAL_KMS_MASTER_KEY=(value hidden) is not base64 of 32 bytes; expected standard base64 of 32 bytes, e.g. from openssl rand -base64 32']);
    expect((error as Error).message).not.toContain(value);
  });
});

describe('loadApiConfig: batches', () => {
  it('defaults to 1000 items and a 400 for a partial failure, and takes 200 or 400 only', () => {
    expect(loadApiConfig({})).toMatchObject({ batchMaxItems: 1000, batchPartialFailureStatus: 400 });
    expect(loadApiConfig({ API_BATCH_MAX_ITEMS: '50', BATCH_PARTIAL_FAILURE_STATUS: '200' })).toMatchObject({ batchMaxItems: 50, batchPartialFailureStatus: 200 });
    expect(() => loadApiConfig({ BATCH_PARTIAL_FAILURE_STATUS: '207' })).toThrow(/BATCH_PARTIAL_FAILURE_STATUS=.*expected 200 or 400/);
    expect(() => loadApiConfig({ API_BATCH_MAX_ITEMS: '0' })).toThrow(ConfigError);
  });
});
