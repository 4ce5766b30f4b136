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
