/**
 * Identities and start-up configuration against the built API (issue 21): in AUTH_MODE=jwt a
 * token without a subject is refused (401) on every kind of route, so two such callers cannot share
 * one identity (one break-glass requester signing with another's session); a bad
 * LOCAL_KMS_MASTER_KEY is a configuration error (exit 2) that never prints the value.
 */
import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runApiUntilExit, startApiProcess, type ApiProcess } from './support/api-process';
import { call, envelopeOf } from './support/http';
import { report } from './support/report';

const ISSUER = 'https://idp.reliability.test';
const AUDIENCE = 'keyledger-reliability';
const KID = 'reliability-1';

// An issuer written here with node:crypto (ES256, JOSE r||s signatures), independent of the API's jose.
const issuerKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const b64url = (value: string | Buffer): string => Buffer.from(value).toString('base64url');

function jwt(claims: Record<string, unknown>, key: KeyObject = issuerKey.privateKey): string {
  const signingInput = `${b64url(JSON.stringify({ alg: 'ES256', typ: 'JWT', kid: KID }))}.${b64url(JSON.stringify(claims))}`;
  return `${signingInput}.${b64url(sign('sha256', Buffer.from(signingInput), { key, dsaEncoding: 'ieee-p1363' }))}`;
}

const nowS = (): number => Math.floor(Date.now() / 1000);
const claims = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  iss: ISSUER,
  aud: AUDIENCE,
  iat: nowS(),
  exp: nowS() + 600,
  roles: ['client', 'key-admin', 'breakglass-requester', 'approver-security'],
  tenants: ['acme'],
  ...extra,
});

describe('AUTH_MODE=jwt: a token without a subject', () => {
  let jwks: Server;
  let api: ApiProcess;
  let dataDir: string;

  beforeAll(async () => {
    const publicJwk = { ...issuerKey.publicKey.export({ format: 'jwk' }), kid: KID, alg: 'ES256', use: 'sig' };
    jwks = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [publicJwk] })));
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    dataDir = mkdtempSync(join(tmpdir(), 'keyledger-reliability-jwt-'));
    api = await startApiProcess({
      NODE_ENV: 'production',
      REQUIRE_KMS: 'false',
      KMS_PROVIDER: 'local',
      LOCAL_KMS_MASTER_KEY: randomBytes(32).toString('base64'),
      KEYLEDGER_DATA_DIR: dataDir,
      AUTH_MODE: 'jwt',
      AUTH_JWKS_URL: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json`,
      AUTH_ISSUER: ISSUER,
      AUTH_AUDIENCE: AUDIENCE,
      RATE_LIMIT_TENANT_RPS: '0',
      LOG_LEVEL: 'info',
    });
  }, 60_000);

  afterAll(async () => {
    await api?.stop();
    await new Promise((resolve) => jwks?.close(resolve));
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('is 401 UNAUTHENTICATED on every kind of route, for every such caller, while a token with sub works', async () => {
    const alice = jwt(claims({ sub: 'alice' }));
    const created = await call(api.base, { method: 'POST', path: '/v1/keys', token: alice, body: { tenantId: 'acme', name: 'payments', purpose: 'sign' } });
    expect(created.status).toBe(201);
    const keyId = (created.json as { keyId: string }).keyId;
    expect((await call(api.base, { method: 'POST', path: `/v1/keys/${keyId}/sign`, token: alice, body: { message: 'eA==' } })).status).toBe(200);

    const anonymous = [claims({ name: 'first requester' }), claims({ name: 'second requester' }), claims({ sub: '' }), claims({ sub: 42 })].map((c) => jwt(c));
    const routes = [
      { method: 'GET', path: '/v1/keys?tenantId=acme' },
      { method: 'POST', path: `/v1/keys/${keyId}/sign`, body: { message: 'eA==' } },
      { method: 'POST', path: `/v1/keys/${keyId}/sign?via=fastify`, body: { message: 'eA==' } },
      { method: 'POST', path: '/v1/break-glass', body: { tenantId: 'acme', justification: 'provider outage drill for the reliability suite', incidentRef: 'INC-21' } },
      { method: 'POST', path: '/v1/break-glass/bg-0000/sign', body: { message: 'eA==', justification: 'reliability' } },
    ];
    const wrong: string[] = [];
    for (const token of anonymous) {
      for (const r of routes) {
        const a = await call(api.base, { ...r, token });
        if (a.status !== 401 || envelopeOf(a)?.code !== 'UNAUTHENTICATED') wrong.push(`${r.method} ${r.path} → ${a.status} ${a.text.slice(0, 120)}`);
        if (a.text.includes(token)) wrong.push(`${r.method} ${r.path} repeats the token`);
      }
    }
    expect(wrong).toEqual([]);
    report('jwt identities', [`${anonymous.length} tokens without a usable sub × ${routes.length} routes: all 401 UNAUTHENTICATED; a token with sub is served`]);
  });
});

describe('start-up configuration', () => {
  it.each([
    ['not base64', 'this is not base64 but it is secret!'],
    ['16 bytes', randomBytes(16).toString('base64')],
  ])('exits 2 on a LOCAL_KMS_MASTER_KEY that is %s, naming the variable, never printing the value', async (_label, value) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'keyledger-reliability-config-'));
    try {
      const run = await runApiUntilExit({ NODE_ENV: 'production', REQUIRE_KMS: 'false', KMS_PROVIDER: 'local', LOCAL_KMS_MASTER_KEY: value, KEYLEDGER_DATA_DIR: dataDir });
      expect({ code: run.code, listened: run.listened }).toEqual({ code: 2, listened: false });
      expect(run.output).toContain('keyledger-api: invalid configuration: LOCAL_KMS_MASTER_KEY=(value hidden)');
      expect(run.output).not.toContain(value);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
