import { ValidationError, type Clock } from '@keyledger/kms-domain';
import { KeyOperationError } from '../errors';
import type { CryptoOperations } from './crypto-operations';
import { JOSE_ALG } from './signatures';
import { parseKid } from './signature-forms';

/** How far `exp` and `nbf` may be off when a JWT is verified, for clocks that disagree a little. */
export const JWT_CLOCK_TOLERANCE_SECONDS = 60;
/** The header fields a caller may add to a JWT keyledger signs; `alg` and `kid` are always keyledger's. */
export const JWT_CALLER_HEADER_FIELDS = ['typ', 'cty'] as const;
const MAX_HEADER_VALUE = 128;

export interface SignedJwt {
  readonly jwt: string;
  readonly kid: string;
  readonly keyVersion: number;
  readonly algorithm: string;
}

/** Why a JWT did not verify (the token itself was readable). */
export type JwtRejection = 'signature' | 'kid' | 'alg' | 'expired' | 'not_yet_valid' | 'crit';

export interface VerifiedJwt {
  readonly valid: boolean;
  /** The kid the token names, when it names a version of this key. */
  readonly kid?: string;
  readonly keyVersion?: number;
  /** The claims, only when the token is valid. */
  readonly claims?: Record<string, unknown>;
  readonly reason?: JwtRejection;
}

const b64uJson = (value: unknown): string => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
const B64U = /^[A-Za-z0-9_-]+$/;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const invalidJwt = (reason: string): KeyOperationError => new KeyOperationError('INVALID_JWT', `The JWT cannot be read: ${reason}`);

function readPart(part: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw invalidJwt(`the ${what} is not base64url JSON`);
  }
  if (!isObject(value)) throw invalidJwt(`the ${what} is not a JSON object`);
  return value;
}

/**
 * Compact JWS / JWT on a signing key: the header names the JOSE `alg` of the key's algorithm
 * (ES256 with the raw r‖s signature, EdDSA, PS256) and the `kid` the tenant JWKS publishes, so any
 * JOSE library verifies the token from the JWKS alone.
 */
export class JwtOperations {
  constructor(
    private readonly crypto: CryptoOperations,
    private readonly clock: Clock,
  ) {}

  /** Signs `claims` (with `iat` added when absent) with the primary version; `header` may add `typ` and `cty`. */
  async sign(tenantId: string, keyId: string, claims: Record<string, unknown>, header: Record<string, unknown> = {}): Promise<SignedJwt> {
    if (!isObject(claims)) throw new ValidationError('claims', 'expected a JSON object');
    if (!isObject(header)) throw new ValidationError('header', 'expected a JSON object');
    for (const [name, value] of Object.entries(header)) {
      if (!(JWT_CALLER_HEADER_FIELDS as readonly string[]).includes(name)) throw new ValidationError('header', `only ${JWT_CALLER_HEADER_FIELDS.join(' and ')} may be set`);
      if (typeof value !== 'string' || value.length === 0 || value.length > MAX_HEADER_VALUE) throw new ValidationError('header', `${name} must be a string of 1..${MAX_HEADER_VALUE} characters`);
    }
    const body = claims.iat === undefined ? { ...claims, iat: Math.floor(this.clock.now().getTime() / 1000) } : claims;
    let signingInput = '';
    const signed = await this.crypto.signComposed(
      tenantId,
      keyId,
      (kid, algorithm) => {
        signingInput = `${b64uJson({ alg: JOSE_ALG[algorithm], kid, ...header })}.${b64uJson(body)}`;
        return Buffer.from(signingInput, 'ascii');
      },
      { marshaling: 'raw' },
    );
    return { jwt: `${signingInput}.${signed.signature.toString('base64url')}`, kid: signed.kid, keyVersion: signed.keyVersion, algorithm: JOSE_ALG[signed.algorithm] };
  }

  /**
   * Verifies a compact JWS signed by this key: its kid must name a verifiable version of it, its
   * `alg` the key's, its signature must verify, and `exp` / `nbf` must hold within
   * {@link JWT_CLOCK_TOLERANCE_SECONDS}. An unreadable token is INVALID_JWT.
   */
  async verify(tenantId: string, keyId: string, jwt: string): Promise<VerifiedJwt> {
    const parts = jwt.split('.');
    if (parts.length !== 3 || !parts.every((p) => B64U.test(p))) throw invalidJwt('expected three base64url parts (header.payload.signature)');
    const header = readPart(parts[0], 'header');
    const claims = readPart(parts[1], 'payload');
    for (const name of ['exp', 'nbf'] as const) {
      if (claims[name] !== undefined && (typeof claims[name] !== 'number' || !Number.isFinite(claims[name]))) throw invalidJwt(`${name} is not a NumericDate`);
    }
    const kid = typeof header.kid === 'string' ? parseKid(header.kid) : undefined;
    if (kid === undefined || kid.keyId !== keyId) return { valid: false, reason: 'kid' };
    const named = { kid: header.kid as string, keyVersion: kid.version };
    if (header.crit !== undefined) return { valid: false, ...named, reason: 'crit' };
    if (header.alg !== JOSE_ALG[this.crypto.verifyingAlgorithm(tenantId, keyId)]) return { valid: false, ...named, reason: 'alg' };
    const checked = await this.crypto.verify(tenantId, keyId, { message: Buffer.from(`${parts[0]}.${parts[1]}`, 'ascii') }, Buffer.from(parts[2], 'base64url'), kid.version, {
      marshaling: 'raw',
    });
    if (!checked.valid) return { valid: false, ...named, reason: 'signature' };
    const now = this.clock.now().getTime() / 1000;
    if (typeof claims.exp === 'number' && now - JWT_CLOCK_TOLERANCE_SECONDS >= claims.exp) return { valid: false, ...named, reason: 'expired' };
    if (typeof claims.nbf === 'number' && now + JWT_CLOCK_TOLERANCE_SECONDS < claims.nbf) return { valid: false, ...named, reason: 'not_yet_valid' };
    return { valid: true, ...named, claims };
  }
}
