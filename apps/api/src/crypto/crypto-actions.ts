import type { KeyOperations, SignInput } from '@keyledger/key-operations';
import type { Principal } from '../auth/principal';
import {
  dataKeyItemSchema,
  dataKeySchema,
  decryptItemSchema,
  decryptSchema,
  encryptItemSchema,
  encryptSchema,
  idSchema,
  isBatchBody,
  parse,
  parseBatch,
  signItemSchema,
  signJwtSchema,
  signSchema,
  verifyItemSchema,
  verifyJwtSchema,
  verifySchema,
} from '../http/schemas';
import { CLIENTS, type TenantAccess } from '../keys/tenant-access';
import { batchAnswer, DEFAULT_BATCH_SETTINGS, type BatchSettings } from './batch-answer';

/** What a crypto action needs: the use cases, the role, tenant and rate checks, and the batch limits. */
export interface CryptoDeps {
  readonly ops: KeyOperations;
  readonly access: TenantAccess;
  readonly batch?: BatchSettings;
}

/**
 * One crypto route as a plain function of the principal, the path's key id and the body. The Nest
 * controller and the native Fastify routes both call these, so input checks, tenant isolation, the
 * rate limit and the answer are the same code on either path. A batch answer carries its HTTP
 * status (see `statusOf`).
 */
export type CryptoAction = (deps: CryptoDeps, principal: Principal, keyId: string, body: unknown) => Promise<object>;

export const b64 = (s: string): Buffer => Buffer.from(s, 'base64');

function signInputOf(input: { message?: string; digest?: string; hashAlgorithm?: 'SHA-256' | 'SHA-384' | 'SHA-512' }): SignInput {
  return input.digest !== undefined ? { digest: b64(input.digest), hashAlgorithm: input.hashAlgorithm } : { message: b64(input.message as string) };
}

const signAnswer = (r: { signature: Buffer; keyVersion: number; kid: string; algorithm: string; signatureString: string }) => ({
  signature: r.signature.toString('base64'),
  keyVersion: r.keyVersion,
  kid: r.kid,
  algorithm: r.algorithm,
  signatureString: r.signatureString,
});
const decryptAnswer = (r: { plaintext: Buffer; keyVersion: number }) => ({ plaintext: r.plaintext.toString('base64'), keyVersion: r.keyVersion });
const dataKeyAnswer = (r: { ciphertext: string; keyVersion: number; plaintext: Buffer | null }) => ({
  ciphertext: r.ciphertext,
  keyVersion: r.keyVersion,
  ...(r.plaintext ? { plaintext: r.plaintext.toString('base64') } : {}),
});

/** The batch items of `body`, after the role, tenant and rate checks (one token per item). */
export function batchOf<T extends Parameters<typeof parseBatch>[0]>(deps: CryptoDeps, principal: Principal, keyId: string, body: unknown, schema: T) {
  const items = parseBatch(schema, body, (deps.batch ?? DEFAULT_BATCH_SETTINGS).maxItems) as ReturnType<T['parse']>[];
  const tenantId = deps.access.forKey(principal, parse(idSchema, keyId), CLIENTS, items.length);
  return { tenantId, items };
}

export const signAction: CryptoAction = async (deps, principal, keyId, body) => {
  if (isBatchBody(body)) {
    const { tenantId, items } = batchOf(deps, principal, keyId, body, signItemSchema);
    const outcomes = await deps.ops.crypto.signBatch(tenantId, keyId, items.map((i) => ({ input: signInputOf(i), marshaling: i.marshaling })));
    return batchAnswer(deps, items, outcomes, signAnswer);
  }
  const input = parse(signSchema, body);
  const tenantId = deps.access.forKey(principal, parse(idSchema, keyId), CLIENTS);
  return signAnswer(await deps.ops.crypto.sign(tenantId, keyId, signInputOf(input), { marshaling: input.marshaling, keyVersion: input.keyVersion }));
};

export const verifyAction: CryptoAction = async (deps, principal, keyId, body) => {
  if (isBatchBody(body)) {
    const { tenantId, items } = batchOf(deps, principal, keyId, body, verifyItemSchema);
    const outcomes = await deps.ops.crypto.verifyBatch(
      tenantId,
      keyId,
      items.map((i) =>
        i.signatureString !== undefined
          ? { input: signInputOf(i), signatureString: i.signatureString, marshaling: i.marshaling }
          : { input: signInputOf(i), signature: b64(i.signature as string), keyVersion: i.keyVersion, kid: i.kid, marshaling: i.marshaling },
      ),
    );
    return batchAnswer(deps, items, outcomes, (r) => r);
  }
  const input = parse(verifySchema, body);
  const tenantId = deps.access.forKey(principal, parse(idSchema, keyId), CLIENTS);
  if (input.signatureString !== undefined) return deps.ops.crypto.verifySignatureString(tenantId, keyId, signInputOf(input), input.signatureString, input.marshaling);
  return deps.ops.crypto.verify(tenantId, keyId, signInputOf(input), b64(input.signature as string), input.keyVersion, { kid: input.kid, marshaling: input.marshaling });
};

export const encryptAction: CryptoAction = async (deps, principal, keyId, body) => {
  if (isBatchBody(body)) {
    const { tenantId, items } = batchOf(deps, principal, keyId, body, encryptItemSchema);
    const outcomes = await deps.ops.crypto.encryptBatch(tenantId, keyId, items.map((i) => ({ plaintext: b64(i.plaintext), context: i.context })));
    return batchAnswer(deps, items, outcomes, (r) => r);
  }
  const input = parse(encryptSchema, body);
  const tenantId = deps.access.forKey(principal, parse(idSchema, keyId), CLIENTS);
  return deps.ops.crypto.encrypt(tenantId, keyId, b64(input.plaintext), input.context, input.keyVersion);
};

export const decryptAction: CryptoAction = async (deps, principal, keyId, body) => {
  if (isBatchBody(body)) {
    const { tenantId, items } = batchOf(deps, principal, keyId, body, decryptItemSchema);
    const outcomes = await deps.ops.crypto.decryptBatch(tenantId, keyId, items);
    return batchAnswer(deps, items, outcomes, decryptAnswer);
  }
  const input = parse(decryptSchema, body);
  const tenantId = deps.access.forKey(principal, parse(idSchema, keyId), CLIENTS);
  return decryptAnswer(await deps.ops.crypto.decrypt(tenantId, keyId, input.ciphertext, input.context));
};

export const rewrapAction: CryptoAction = async (deps, principal, keyId, body) => {
  if (isBatchBody(body)) {
    const { tenantId, items } = batchOf(deps, principal, keyId, body, decryptItemSchema);
    const outcomes = await deps.ops.crypto.rewrapBatch(tenantId, keyId, items);
    return batchAnswer(deps, items, outcomes, (r) => r);
  }
  const input = parse(decryptSchema, body);
  const tenantId = deps.access.forKey(principal, parse(idSchema, keyId), CLIENTS);
  return deps.ops.crypto.rewrap(tenantId, keyId, input.ciphertext, input.context);
};

export const dataKeyAction: CryptoAction = async (deps, principal, keyId, body) => {
  if (isBatchBody(body)) {
    const { tenantId, items } = batchOf(deps, principal, keyId, body, dataKeyItemSchema);
    const outcomes = await deps.ops.crypto.dataKeyBatch(tenantId, keyId, items);
    return batchAnswer(deps, items, outcomes, dataKeyAnswer);
  }
  const input = parse(dataKeySchema, body);
  const tenantId = deps.access.forKey(principal, parse(idSchema, keyId), CLIENTS);
  return dataKeyAnswer(await deps.ops.crypto.dataKey(tenantId, keyId, input.bits, input.includePlaintext, input.context, input.keyVersion));
};

export const signJwtAction: CryptoAction = async ({ ops, access }, principal, keyId, body) => {
  const input = parse(signJwtSchema, body);
  const tenantId = access.forKey(principal, parse(idSchema, keyId), CLIENTS);
  return ops.jwt.sign(tenantId, keyId, input.claims, input.header);
};

export const verifyJwtAction: CryptoAction = async ({ ops, access }, principal, keyId, body) => {
  const input = parse(verifyJwtSchema, body);
  const tenantId = access.forKey(principal, parse(idSchema, keyId), CLIENTS);
  return ops.jwt.verify(tenantId, keyId, input.jwt);
};
