import type { MacResult } from '@keyledger/key-operations';
import { idSchema, isBatchBody, macItemSchema, macSchema, parse, verifyMacItemSchema, verifyMacSchema } from '../http/schemas';
import { CLIENTS } from '../keys/tenant-access';
import { batchAnswer } from './batch-answer';
import { b64, batchOf, type CryptoAction } from './crypto-actions';

const macAnswer = (r: MacResult) => ({ mac: r.mac.toString('base64'), keyVersion: r.keyVersion, kid: r.kid, algorithm: r.algorithm, macString: r.macString });

/** `POST /v1/keys/{keyId}/mac`: `{message, keyVersion?}` or the batch form (primary version). */
export const macAction: CryptoAction = async (deps, principal, keyId, body) => {
  if (isBatchBody(body)) {
    const { tenantId, items } = batchOf(deps, principal, keyId, body, macItemSchema);
    const outcomes = await deps.ops.mac.macBatch(tenantId, keyId, items.map((i) => ({ message: b64(i.message) })));
    return batchAnswer(deps, items, outcomes, macAnswer);
  }
  const input = parse(macSchema, body);
  const tenantId = deps.access.forKey(principal, parse(idSchema, keyId), CLIENTS);
  return macAnswer(await deps.ops.mac.mac(tenantId, keyId, b64(input.message), input.keyVersion));
};

type VerifyMacBody = { message: string; mac?: string; keyVersion?: number; macString?: string };
const verifyItemOf = (i: VerifyMacBody) =>
  i.macString !== undefined ? { message: b64(i.message), macString: i.macString } : { message: b64(i.message), mac: b64(i.mac as string), keyVersion: i.keyVersion };

/** `POST /v1/keys/{keyId}/verify-mac`: `{message, mac, keyVersion?}` or `{message, macString}`, or the batch form. */
export const verifyMacAction: CryptoAction = async (deps, principal, keyId, body) => {
  if (isBatchBody(body)) {
    const { tenantId, items } = batchOf(deps, principal, keyId, body, verifyMacItemSchema);
    const outcomes = await deps.ops.mac.verifyMacBatch(tenantId, keyId, items.map(verifyItemOf));
    return batchAnswer(deps, items, outcomes, (r) => r);
  }
  const input = parse(verifyMacSchema, body);
  const tenantId = deps.access.forKey(principal, parse(idSchema, keyId), CLIENTS);
  return deps.ops.mac.verifyMac(tenantId, keyId, verifyItemOf(input));
};
