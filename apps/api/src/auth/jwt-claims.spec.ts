import { JWT_CLOCK_TOLERANCE_SECONDS, checkJwtClaims, type JwtClaimRules } from './jwt-claims';

const NOW = 1_800_000_000;
const RULES: JwtClaimRules = { subjectClaim: 'sub', maxLifetimeMinutes: 60 };
const ok = { sub: 'alice', iat: NOW - 10, exp: NOW + 600 };

describe('checkJwtClaims', () => {
  it('accepts a token with a subject, a past iat and an exp within the lifetime bound', () => {
    expect(checkJwtClaims(ok, RULES, NOW)).toEqual({ ok: true, subject: 'alice' });
  });

  it.each([
    ['no sub', { iat: ok.iat, exp: ok.exp }],
    ['an empty sub', { ...ok, sub: '' }],
    ['a blank sub', { ...ok, sub: '   ' }],
    ['a numeric sub', { ...ok, sub: 42 }],
    ['an array sub', { ...ok, sub: ['alice'] }],
  ])('refuses a token with %s, naming the claim', (_label, payload) => {
    expect(checkJwtClaims(payload, RULES, NOW)).toEqual({ ok: false, reason: 'the token has no sub claim' });
  });

  it('reads the subject from the configured claim and ignores sub then', () => {
    const rules = { ...RULES, subjectClaim: 'email' };
    expect(checkJwtClaims({ ...ok, email: 'alice@example.com' }, rules, NOW)).toEqual({ ok: true, subject: 'alice@example.com' });
    expect(checkJwtClaims(ok, rules, NOW)).toEqual({ ok: false, reason: 'the token has no email claim' });
  });

  it('requires exp as a number', () => {
    expect(checkJwtClaims({ sub: 'alice', iat: ok.iat }, RULES, NOW)).toEqual({ ok: false, reason: 'the token has no exp claim' });
    expect(checkJwtClaims({ ...ok, exp: String(ok.exp) }, RULES, NOW)).toMatchObject({ ok: false, reason: 'the token has no exp claim' });
  });

  it('refuses an expired token once the clock tolerance has passed', () => {
    expect(checkJwtClaims({ sub: 'a', exp: NOW - JWT_CLOCK_TOLERANCE_SECONDS + 1 }, RULES, NOW).ok).toBe(true);
    expect(checkJwtClaims({ sub: 'a', exp: NOW - JWT_CLOCK_TOLERANCE_SECONDS }, RULES, NOW)).toEqual({ ok: false, reason: 'the token has expired' });
  });

  it('bounds the lifetime as exp - iat', () => {
    expect(checkJwtClaims({ sub: 'a', iat: NOW - 3000, exp: NOW - 3000 + 3600 }, RULES, NOW).ok).toBe(true);
    expect(checkJwtClaims({ sub: 'a', iat: NOW - 3000, exp: NOW - 3000 + 3601 }, RULES, NOW)).toEqual({
      ok: false,
      reason: 'the token lives longer than AUTH_MAX_TOKEN_LIFETIME_MINUTES allows',
    });
  });

  it('bounds the lifetime as exp - now when iat is absent', () => {
    expect(checkJwtClaims({ sub: 'a', exp: NOW + 3600 }, RULES, NOW).ok).toBe(true);
    expect(checkJwtClaims({ sub: 'a', exp: NOW + 3601 }, RULES, NOW)).toMatchObject({ ok: false });
    // A token valid for a year is refused under the default bound of a day too.
    expect(checkJwtClaims({ sub: 'a', iat: NOW, exp: NOW + 365 * 86_400 }, { ...RULES, maxLifetimeMinutes: 1440 }, NOW)).toMatchObject({ ok: false });
  });

  it('refuses iat and nbf in the future beyond the clock tolerance, accepts them within it', () => {
    const t = JWT_CLOCK_TOLERANCE_SECONDS;
    expect(checkJwtClaims({ sub: 'a', iat: NOW + t, exp: NOW + t + 60 }, RULES, NOW).ok).toBe(true);
    expect(checkJwtClaims({ sub: 'a', iat: NOW + t + 1, exp: NOW + t + 60 }, RULES, NOW)).toEqual({ ok: false, reason: 'the token is issued in the future (iat)' });
    expect(checkJwtClaims({ sub: 'a', nbf: NOW + t, exp: NOW + 600 }, RULES, NOW).ok).toBe(true);
    expect(checkJwtClaims({ sub: 'a', nbf: NOW + t + 1, exp: NOW + 600 }, RULES, NOW)).toEqual({ ok: false, reason: 'the token is not valid yet (nbf)' });
  });

  it('refuses iat or nbf that are not times', () => {
    expect(checkJwtClaims({ ...ok, iat: 'yesterday' }, RULES, NOW)).toMatchObject({ ok: false });
    expect(checkJwtClaims({ ...ok, nbf: null }, RULES, NOW)).toMatchObject({ ok: false });
  });

  it('never repeats a claim value in the reason', () => {
    const secretish = 'subject-value-that-must-not-be-echoed';
    for (const payload of [{ email: secretish, exp: NOW + 10 }, { sub: secretish, exp: `${secretish}` }, { sub: secretish, iat: secretish, exp: NOW + 10 }]) {
      const checked = checkJwtClaims(payload, RULES, NOW);
      expect(checked.ok).toBe(false);
      expect(JSON.stringify(checked)).not.toContain(secretish);
    }
  });
});
