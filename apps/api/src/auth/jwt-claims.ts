/**
 * How far a JWT's `iat` and `nbf` may lie in the future, and `exp` in the past, to allow for clock
 * skew between the issuer and this API (docs/api.md, Authentication).
 */
export const JWT_CLOCK_TOLERANCE_SECONDS = 60;

/** What a verified token's claims must satisfy besides issuer, audience and signature. */
export interface JwtClaimRules {
  /** The claim naming the caller (AUTH_SUBJECT_CLAIM). */
  readonly subjectClaim: string;
  /** AUTH_MAX_TOKEN_LIFETIME_MINUTES: exp - iat (exp - now without iat) may not exceed it. */
  readonly maxLifetimeMinutes: number;
}

/** The subject of an acceptable token, or why it is refused (names claims, never their values). */
export type JwtClaimCheck = { readonly ok: true; readonly subject: string } | { readonly ok: false; readonly reason: string };

const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * Checks the claims of a token whose signature, issuer and audience were verified: a non-empty
 * string subject, an `exp` that has not passed, an `iat`/`nbf` not in the future beyond the clock
 * tolerance, and a lifetime within the bound. Every token without a subject would otherwise share
 * one identity (one requester could act on another's break-glass session).
 */
export function checkJwtClaims(payload: Readonly<Record<string, unknown>>, rules: JwtClaimRules, nowSeconds: number): JwtClaimCheck {
  const subject = payload[rules.subjectClaim];
  if (typeof subject !== 'string' || subject.trim() === '') return { ok: false, reason: `the token has no ${rules.subjectClaim} claim` };
  const { exp, iat, nbf } = payload;
  if (!isTime(exp)) return { ok: false, reason: 'the token has no exp claim' };
  if (exp <= nowSeconds - JWT_CLOCK_TOLERANCE_SECONDS) return { ok: false, reason: 'the token has expired' };
  if (iat !== undefined && !isTime(iat)) return { ok: false, reason: 'the token has an iat claim that is not a time' };
  if (nbf !== undefined && !isTime(nbf)) return { ok: false, reason: 'the token has an nbf claim that is not a time' };
  if (isTime(iat) && iat > nowSeconds + JWT_CLOCK_TOLERANCE_SECONDS) return { ok: false, reason: 'the token is issued in the future (iat)' };
  if (isTime(nbf) && nbf > nowSeconds + JWT_CLOCK_TOLERANCE_SECONDS) return { ok: false, reason: 'the token is not valid yet (nbf)' };
  const lifetime = exp - (isTime(iat) ? iat : nowSeconds);
  if (lifetime > rules.maxLifetimeMinutes * 60) return { ok: false, reason: 'the token lives longer than AUTH_MAX_TOKEN_LIFETIME_MINUTES allows' };
  return { ok: true, subject };
}
