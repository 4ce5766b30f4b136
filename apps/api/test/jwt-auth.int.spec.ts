import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadApiConfig } from '@keyledger/runtime';
import { JwtAuthenticator } from '../src/auth/authenticator';
import { JWT_CLOCK_TOLERANCE_SECONDS } from '../src/auth/jwt-claims';
import { startHarness, type Harness } from './support/api-harness';

// JWT mode against a real JWKS served on loopback, tokens signed with jose (ES256).
type Jose = typeof import('jose');
type SigningKey = Awaited<ReturnType<Jose['generateKeyPair']>>['privateKey'];
const ISSUER = 'https://idp.keyledger.test';
const AUDIENCE = 'keyledger';

let jose: Jose;
let privateKey: SigningKey;
let otherKey: SigningKey;
let jwks: Server;
let jwksUrl: string;
let h: Harness;

const nowS = (): number => Math.floor(Date.now() / 1000);

/** A signed token with `claims` (iss and aud set unless given); `exp`, `iat`, `sub` only as the caller passes them. */
async function token(claims: Record<string, unknown>, key: SigningKey = privateKey): Promise<string> {
  return new jose.SignJWT({ iss: ISSUER, aud: AUDIENCE, roles: ['key-admin', 'client'], tenants: ['acme'], ...claims }).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).sign(key);
}

const fresh = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({ sub: 'alice', iat: nowS(), exp: nowS() + 600, ...extra });

function jwtEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { AUTH_MODE: 'jwt', AUTH_JWKS_URL: jwksUrl, AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE, ...extra };
}

beforeAll(async () => {
  jose = await import('jose');
  const pair = await jose.generateKeyPair('ES256');
  privateKey = pair.privateKey;
  ({ privateKey: otherKey } = await jose.generateKeyPair('ES256'));
  const publicJwk = { ...(await jose.exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  jwks = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [publicJwk] })));
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json`;
  h = await startHarness(jwtEnv());
});

afterAll(async () => {
  await h?.close();
  await new Promise((resolve) => jwks?.close(resolve));
});

describe('AUTH_MODE=jwt over HTTP', () => {
  it('accepts a signed token with sub, iat and exp', async () => {
    const res = await h.call('GET', '/v1/keys?tenantId=acme', await token(fresh()));
    expect(res).toMatchObject({ status: 200, body: { keys: [] } });
  });

  it('refuses a token without sub with 401 UNAUTHENTICATED, so two such tokens never share an identity', async () => {
    for (const who of ['first', 'second']) {
      const claims = fresh({ sub: undefined, name: who });
      const res = await h.call('GET', '/v1/keys?tenantId=acme', await token(claims));
      expect(res).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHENTICATED' } } });
      expect(res.body.error.message).toContain('no sub claim');
    }
  });

  it('refuses a token without exp, one that lives longer than the bound, and one issued in the future', async () => {
    const cases = [
      fresh({ exp: undefined }),
      fresh({ iat: nowS(), exp: nowS() + 1441 * 60 }),
      fresh({ iat: undefined, exp: nowS() + 1441 * 60 }),
      fresh({ iat: nowS() + JWT_CLOCK_TOLERANCE_SECONDS + 120, exp: nowS() + 900 }),
      fresh({ nbf: nowS() + JWT_CLOCK_TOLERANCE_SECONDS + 120 }),
    ];
    for (const claims of cases) {
      const res = await h.call('GET', '/v1/keys?tenantId=acme', await token(claims));
      expect({ claims, status: res.status, code: res.body.error?.code }).toEqual({ claims, status: 401, code: 'UNAUTHENTICATED' });
    }
  });

  it('refuses a token signed by another key, and never repeats the token', async () => {
    const forged = await token(fresh(), otherKey);
    const res = await h.call('GET', '/v1/keys?tenantId=acme', forged);
    expect(res).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHENTICATED' } } });
    expect(JSON.stringify(res.body)).not.toContain(forged.split('.')[1]);
  });

  it('answers the bad-subject refusal on the crypto fast path too', async () => {
    const res = await h.call('POST', '/v1/keys/acme-payments.0123456789abcdef/sign', await token(fresh({ sub: undefined })), { message: 'eA==' });
    expect(res).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHENTICATED' } } });
  });
});

describe('JwtAuthenticator', () => {
  it('takes the subject from AUTH_SUBJECT_CLAIM', async () => {
    const auth = new JwtAuthenticator(loadApiConfig(jwtEnv({ AUTH_SUBJECT_CLAIM: 'email' })));
    expect(await auth.authenticate(await token(fresh({ sub: undefined, email: 'alice@example.com' })))).toMatchObject({ subject: 'alice@example.com', tenants: ['acme'] });
    await expect(auth.authenticate(await token(fresh()))).rejects.toMatchObject({ code: 'UNAUTHENTICATED', message: expect.stringContaining('no email claim') });
  });

  it('bounds the lifetime by AUTH_MAX_TOKEN_LIFETIME_MINUTES', async () => {
    const auth = new JwtAuthenticator(loadApiConfig(jwtEnv({ AUTH_MAX_TOKEN_LIFETIME_MINUTES: '5' })));
    expect(await auth.authenticate(await token(fresh({ exp: nowS() + 300 })))).toMatchObject({ subject: 'alice' });
    await expect(auth.authenticate(await token(fresh({ exp: nowS() + 301 })))).rejects.toMatchObject({ message: expect.stringContaining('AUTH_MAX_TOKEN_LIFETIME_MINUTES') });
  });

  it('accepts iat a little ahead of its clock (within the tolerance) and refuses it further ahead', async () => {
    const at = Date.now();
    const auth = new JwtAuthenticator(loadApiConfig(jwtEnv()), () => at);
    const s = Math.floor(at / 1000);
    expect(await auth.authenticate(await token({ sub: 'a', iat: s + JWT_CLOCK_TOLERANCE_SECONDS - 5, exp: s + 600 }))).toMatchObject({ subject: 'a' });
    await expect(auth.authenticate(await token({ sub: 'a', iat: s + JWT_CLOCK_TOLERANCE_SECONDS + 5, exp: s + 600 }))).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });
});
