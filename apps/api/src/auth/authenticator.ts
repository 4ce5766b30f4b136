import { hash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { ApiConfig, KeyledgerConfig } from '@keyledger/runtime';
import { ApiError } from '../http/api-error';
import { JWT_CLOCK_TOLERANCE_SECONDS, checkJwtClaims } from './jwt-claims';
import { ROLES, type Principal, type Role } from './principal';

/** Turns a bearer token into a principal, or null when it is not valid (an implementation may throw 401 UNAUTHENTICATED with a reason). */
export interface Authenticator {
  authenticate(token: string): Promise<Principal | null>;
}

const tokenEntry = z
  .object({ token: z.string().min(16), subject: z.string().min(1), roles: z.array(z.enum(ROLES)), tenants: z.array(z.string().min(1)) })
  .strict();

/** The development token file created in the data directory when no auth is configured. */
export const DEV_TOKENS_FILE = 'dev-tokens.json';

// One-shot hashing: no Hash object per request (the token is hashed on every authenticated call).
const digest = (token: string): Buffer => hash('sha256', token, 'buffer');

/** Static tokens from a file; every entry is compared, in constant time, on SHA-256 digests. */
export class StaticTokenAuthenticator implements Authenticator {
  private readonly entries: { digest: Buffer; principal: Principal }[];

  constructor(entries: readonly z.infer<typeof tokenEntry>[]) {
    this.entries = entries.map((e) => ({ digest: digest(e.token), principal: { subject: e.subject, roles: e.roles, tenants: e.tenants } }));
  }

  static async fromFile(path: string): Promise<StaticTokenAuthenticator> {
    const parsed = z.array(tokenEntry).safeParse(JSON.parse(await readFile(path, 'utf8')));
    if (!parsed.success) throw new Error(`AUTH_TOKENS_FILE ${path}: expected a JSON array of {token (16+ chars), subject, roles, tenants}`);
    return new StaticTokenAuthenticator(parsed.data);
  }

  async authenticate(token: string): Promise<Principal | null> {
    const presented = digest(token);
    let found: Principal | null = null;
    for (const entry of this.entries) {
      if (timingSafeEqual(entry.digest, presented) && found === null) found = entry.principal;
    }
    return found;
  }
}

/**
 * Bearer JWTs verified with jose against a remote JWKS, issuer and audience; roles and tenants from
 * claims. A token whose signature does not verify is null (401 UNAUTHENTICATED); a verified token
 * whose claims break a rule of `checkJwtClaims` (no subject, no exp, too long a life, issued in the
 * future) is refused with 401 UNAUTHENTICATED saying which rule, never repeating a claim's value.
 */
export class JwtAuthenticator implements Authenticator {
  // jose is ESM-only: loaded on first use, so CommonJS test runners that never use JWT mode do not load it.
  private verifier: Promise<(token: string) => Promise<Record<string, unknown>>> | null = null;

  constructor(
    private readonly api: ApiConfig,
    private readonly nowMs: () => number = Date.now,
  ) {}

  private verify(token: string): Promise<Record<string, unknown>> {
    this.verifier ??= import('jose').then((jose) => {
      const jwks = jose.createRemoteJWKSet(new URL(this.api.authJwksUrl as string));
      const options = { issuer: this.api.authIssuer, audience: this.api.authAudience, clockTolerance: JWT_CLOCK_TOLERANCE_SECONDS, requiredClaims: ['exp'] };
      return async (t: string) => (await jose.jwtVerify(t, jwks, { ...options, currentDate: new Date(this.nowMs()) })).payload;
    });
    return this.verifier.then((verify) => verify(token));
  }

  async authenticate(token: string): Promise<Principal | null> {
    let payload: Record<string, unknown>;
    try {
      payload = await this.verify(token);
    } catch {
      return null;
    }
    const rules = { subjectClaim: this.api.authSubjectClaim, maxLifetimeMinutes: this.api.authMaxTokenLifetimeMinutes };
    const checked = checkJwtClaims(payload, rules, Math.floor(this.nowMs() / 1000));
    if (!checked.ok) throw new ApiError('UNAUTHENTICATED', `Send a valid Authorization: Bearer <token>: ${checked.reason}`);
    const roles = stringsOf(payload[this.api.authRolesClaim]).filter((r): r is Role => (ROLES as readonly string[]).includes(r));
    return { subject: checked.subject, roles, tenants: stringsOf(payload[this.api.authTenantsClaim]) };
  }
}

const stringsOf = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);

/**
 * Builds the configured authenticator. Development without AUTH_TOKENS_FILE: creates (once) a
 * token file with one admin token in the data directory and reports the token through `announce`.
 */
export async function createAuthenticator(config: KeyledgerConfig, api: ApiConfig, announce: (token: string, file: string) => void): Promise<Authenticator> {
  if (api.authMode === 'jwt') return new JwtAuthenticator(api);
  if (api.authTokensFile) return StaticTokenAuthenticator.fromFile(api.authTokensFile);
  if (config.nodeEnv !== 'development') return new StaticTokenAuthenticator([]);
  const file = join(config.dataDir, DEV_TOKENS_FILE);
  if (!existsSync(file)) {
    await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
    const entry = { token: `kl_dev_${randomBytes(24).toString('base64url')}`, subject: 'dev-admin', roles: ['admin', 'key-admin', 'client', 'auditor'], tenants: ['*'] };
    await writeFile(file, JSON.stringify([entry], null, 2), { mode: 0o600, flag: 'wx' });
  }
  const authenticator = await StaticTokenAuthenticator.fromFile(file);
  const first = (JSON.parse(await readFile(file, 'utf8')) as { token: string }[])[0];
  if (first) announce(first.token, file);
  return authenticator;
}
