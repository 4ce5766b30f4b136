import type { KeyOperations } from '@keyledger/key-operations';
import type { Principal } from '../auth/principal';
import { decryptSchema, encryptSchema, idSchema, parse, signSchema, verifySchema } from '../http/schemas';
import { CLIENTS, type TenantAccess } from '../keys/tenant-access';

/** What a crypto action needs: the use cases and the role, tenant and rate checks. */
export interface CryptoDeps {
  readonly ops: KeyOperations;
  readonly access: TenantAccess;
}

/**
 * One crypto route as a plain function of the principal, the path's key id and the body. The Nest
 * controller and the native Fastify routes both call these, so input checks, tenant isolation, the
 * rate limit and the answer are the same code on either path.
 */
export type CryptoAction = (deps: CryptoDeps, principal: Principal, keyId: string, body: unknown) => Promise<object>;

const b64 = (s: string): Buffer => Buffer.from(s, 'base64');

export const signAction: CryptoAction = async ({ ops, access }, principal, keyId, body) => {
  const input = parse(signSchema, body);
  const tenantId = access.forKey(principal, parse(idSchema, keyId), CLIENTS);
  const what = input.digest !== undefined ? { digest: b64(input.digest) } : { message: b64(input.message as string) };
  const r = await ops.crypto.sign(tenantId, keyId, what);
  return { signature: r.signature.toString('base64'), keyVersion: r.keyVersion, kid: r.kid, algorithm: r.algorithm };
};

export const verifyAction: CryptoAction = async ({ ops, access }, principal, keyId, body) => {
  const input = parse(verifySchema, body);
  const tenantId = access.forKey(principal, parse(idSchema, keyId), CLIENTS);
  const what = input.digest !== undefined ? { digest: b64(input.digest) } : { message: b64(input.message as string) };
  return ops.crypto.verify(tenantId, keyId, what, b64(input.signature), input.keyVersion);
};

export const encryptAction: CryptoAction = async ({ ops, access }, principal, keyId, body) => {
  const input = parse(encryptSchema, body);
  const tenantId = access.forKey(principal, parse(idSchema, keyId), CLIENTS);
  return ops.crypto.encrypt(tenantId, keyId, b64(input.plaintext), input.context);
};

export const decryptAction: CryptoAction = async ({ ops, access }, principal, keyId, body) => {
  const input = parse(decryptSchema, body);
  const tenantId = access.forKey(principal, parse(idSchema, keyId), CLIENTS);
  const r = await ops.crypto.decrypt(tenantId, keyId, input.ciphertext, input.context);
  return { plaintext: r.plaintext.toString('base64'), keyVersion: r.keyVersion };
};
