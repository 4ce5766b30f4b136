import { z } from 'zod';
import { ROTATION_JOB_ID_PATTERN } from '@keyledger/kms-domain';
import { ApiError } from './api-error';

// Standard base64 with padding: the alphabet, at most two trailing '=', a multiple of 4 long (the
// same strings as groups of four with an optional padded last group, checked in about half the time).
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Standard base64 that decodes to 1..`max` bytes. */
export const base64 = (max: number) =>
  z
    .string()
    .min(1, 'must not be empty')
    .refine((s) => s.length % 4 === 0 && BASE64.test(s), 'must be standard base64')
    .refine((s) => Buffer.byteLength(s, 'base64') <= max, `must decode to at most ${max} bytes`);

export const idSchema = z.string().regex(ID, 'expected 1..128 characters from [A-Za-z0-9._-], starting with a letter or digit');
export const contextSchema = z.record(z.string().min(1), z.string()).optional();

export const createKeySchema = z
  .object({
    tenantId: idSchema,
    name: idSchema,
    purpose: z.enum(['sign', 'encrypt', 'mac']),
    algorithm: z.enum(['ECDSA_P256_SHA256', 'ED25519', 'RSA_PSS_2048_SHA256', 'RSA_PSS_3072_SHA256', 'AES_256_GCM', 'HMAC_SHA256', 'HMAC_SHA384', 'HMAC_SHA512']).optional(),
    provider: z.enum(['local', 'aws', 'pkcs11']).optional(),
    mode: z.enum(['wrapped', 'provider-resident']).optional(),
    rotationPeriodDays: z.number().int().min(1).max(3650).optional(),
  })
  .strict();
export const emptySchema = z.object({}).strict();
export const scheduleDeletionSchema = z.object({ pendingWindowDays: z.number().int().min(7).max(30).optional() }).strict();
export const patchKeySchema = z
  .object({
    minDecryptionVersion: z.number().int().min(1).optional(),
    minEncryptionVersion: z.number().int().min(0).optional(),
    rotationPeriodDays: z.number().int().min(1).max(3650).optional(),
    retainVersions: z.number().int().min(0).max(1000).optional(),
  })
  .strict()
  .refine((b) => Object.values(b).some((v) => v !== undefined), 'send minDecryptionVersion, minEncryptionVersion, rotationPeriodDays and/or retainVersions');
export const trimKeySchema = z.object({ minAvailableVersion: z.number().int().min(2) }).strict();
/** `keyVersion` on encrypt, sign and data-key: a version at or above the key's minEncryptionVersion. */
const producingVersion = { keyVersion: z.number().int().min(1).optional() };
const DIGEST_BYTES = { 'SHA-256': 32, 'SHA-384': 48, 'SHA-512': 64 } as const;
export const hashAlgorithmSchema = z.enum(['SHA-256', 'SHA-384', 'SHA-512']);
export const marshalingSchema = z.enum(['der', 'raw']);
/** A reference the caller gives a batch item; echoed in that item's result. */
export const referenceSchema = z.string().max(128, 'must be at most 128 characters');

interface SignedInputFields {
  message?: string;
  digest?: string;
  hashAlgorithm?: keyof typeof DIGEST_BYTES;
}

/** The rules a message-or-digest body follows, for the single call and for each batch item. */
function signedInputRules<T extends z.ZodType<SignedInputFields>>(schema: T): T {
  return schema
    .refine((b) => (b.message === undefined) !== (b.digest === undefined), 'send exactly one of message or digest')
    .refine((b) => b.hashAlgorithm === undefined || b.digest !== undefined, 'hashAlgorithm goes with digest')
    .refine(
      (b) => b.digest === undefined || Buffer.byteLength(b.digest, 'base64') === DIGEST_BYTES[b.hashAlgorithm ?? 'SHA-256'],
      'digest must be as long as its hashAlgorithm gives (SHA-256: 32 bytes, SHA-384: 48, SHA-512: 64)',
    ) as unknown as T;
}

const signFields = {
  message: base64(1024 * 512).optional(),
  digest: base64(64).optional(),
  hashAlgorithm: hashAlgorithmSchema.optional(),
  marshaling: marshalingSchema.optional(),
};
export const signSchema = signedInputRules(z.object({ ...signFields, ...producingVersion }).strict());
export const signItemSchema = signedInputRules(z.object({ ...signFields, reference: referenceSchema.optional() }).strict());

const verifyFields = {
  message: base64(1024 * 512).optional(),
  digest: base64(64).optional(),
  hashAlgorithm: hashAlgorithmSchema.optional(),
  signature: base64(1024).optional(),
  signatureString: z.string().min(1).max(2048).optional(),
  keyVersion: z.number().int().min(1).optional(),
  kid: z.string().min(1).max(160).optional(),
  marshaling: marshalingSchema.optional(),
};
interface VerifyFields extends SignedInputFields {
  signature?: string;
  signatureString?: string;
  keyVersion?: number;
  kid?: string;
}
function verifyRules<T extends z.ZodType<VerifyFields>>(schema: T): T {
  return signedInputRules(schema)
    .refine((b) => (b.signature === undefined) !== (b.signatureString === undefined), 'send exactly one of signature or signatureString')
    .refine((b) => b.signatureString === undefined || (b.keyVersion === undefined && b.kid === undefined), 'a signatureString names its version; send no keyVersion or kid with it')
    .refine((b) => b.keyVersion === undefined || b.kid === undefined, 'send keyVersion or kid, not both') as unknown as T;
}
export const verifySchema = verifyRules(z.object(verifyFields).strict());
export const verifyItemSchema = verifyRules(z.object({ ...verifyFields, reference: referenceSchema.optional() }).strict());

const encryptFields = { plaintext: base64(1024 * 256), context: contextSchema };
export const encryptSchema = z.object({ ...encryptFields, ...producingVersion }).strict();
export const encryptItemSchema = z.object({ ...encryptFields, reference: referenceSchema.optional() }).strict();
const decryptFields = { ciphertext: z.string().min(1).max(1024 * 512), context: contextSchema };
export const decryptSchema = z.object(decryptFields).strict();
export const decryptItemSchema = z.object({ ...decryptFields, reference: referenceSchema.optional() }).strict();
const dataKeyFields = { context: contextSchema, bits: z.union([z.literal(128), z.literal(256)]).default(256), includePlaintext: z.boolean().default(true) };
export const dataKeySchema = z.object({ ...dataKeyFields, ...producingVersion }).strict();
export const dataKeyItemSchema = z.object({ ...dataKeyFields, reference: referenceSchema.optional() }).strict();

const macFields = { message: base64(1024 * 512), ...producingVersion };
export const macSchema = z.object(macFields).strict();
export const macItemSchema = z.object({ message: base64(1024 * 512), reference: referenceSchema.optional() }).strict();
const verifyMacFields = { message: base64(1024 * 512), mac: base64(64).optional(), keyVersion: z.number().int().min(1).optional(), macString: z.string().min(1).max(512).optional() };
const verifyMacRules = <T extends z.ZodType<{ mac?: string; macString?: string; keyVersion?: number }>>(schema: T): T =>
  schema
    .refine((b) => (b.mac === undefined) !== (b.macString === undefined), 'send exactly one of mac or macString')
    .refine((b) => b.macString === undefined || b.keyVersion === undefined, 'a macString names its version; send no keyVersion with it') as unknown as T;
export const verifyMacSchema = verifyMacRules(z.object(verifyMacFields).strict());
export const verifyMacItemSchema = verifyMacRules(z.object({ ...verifyMacFields, reference: referenceSchema.optional() }).strict());

export const signJwtSchema = z
  .object({
    claims: z.record(z.string(), z.unknown()),
    header: z.object({ typ: z.string().min(1).max(128).optional(), cty: z.string().min(1).max(128).optional() }).strict().optional(),
  })
  .strict();
export const verifyJwtSchema = z.object({ jwt: z.string().min(1).max(64 * 1024) }).strict();

export const freezeSchema = z.object({ reason: z.string().trim().min(1).max(500) }).strict();
export const tenantSchema = z.object({ tenantId: idSchema }).strict();
export const versionQuerySchema = z.object({ version: z.coerce.number().int().min(1).optional() }).strict();
/** GET /v1/keys: a tenant's keys, a page at a time (`cursor` is the `nextCursor` of the previous page). */
export const listQuerySchema = z
  .object({
    tenantId: idSchema,
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    cursor: z.string().min(1).max(1024).regex(/^[A-Za-z0-9_-]+$/, 'expected a cursor returned by a previous page').optional(),
  })
  .strict();

const SHOWN_NAME_CHARS = 64;
const SHOWN_NAMES = 5;

/**
 * Unknown field names as an error message may list them: the names are the caller's input, so at
 * most 5 are shown, each cut to 64 characters, and the rest counted ("and N more").
 */
export function unknownFieldList(names: readonly string[]): string {
  const cut = (name: string): string => {
    const chars = Array.from(name);
    return chars.length <= SHOWN_NAME_CHARS ? name : `${chars.slice(0, SHOWN_NAME_CHARS - 1).join('')}…`;
  };
  const shown = names.slice(0, SHOWN_NAMES).map(cut).join(', ');
  return names.length > SHOWN_NAMES ? `${shown} and ${names.length - SHOWN_NAMES} more` : shown;
}

/**
 * Parses `value` or throws a 400 REQUEST_INVALID naming the first bad field and what to send. The
 * message never carries a value from the request: only the top-level field (a name the schema
 * defines, not a key of a record such as `context`), the schema's own message, or the truncated
 * list of unknown field names.
 */
export function parse<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue.path.length > 0 ? String(issue.path[0]) : 'body';
  const message = issue.code === 'unrecognized_keys' ? `unknown field(s): ${unknownFieldList(issue.keys)}` : issue.message;
  throw new ApiError('REQUEST_INVALID', `Invalid ${field}: ${message}`);
}

/** Whether a request body is a batch (`{batch: [...]}`) rather than a single call. */
export const isBatchBody = (body: unknown): boolean => typeof body === 'object' && body !== null && !Array.isArray(body) && Object.hasOwn(body, 'batch');

/**
 * Parses `{batch: [item, ...]}` or throws a 400 REQUEST_INVALID naming the first bad index (and
 * field) and what to send; like `parse`, the message never carries a value from the request.
 */
export function parseBatch<T extends z.ZodType>(itemSchema: T, body: unknown, maxItems: number): z.infer<T>[] {
  const keys = Object.keys(body as object);
  if (keys.length !== 1) throw new ApiError('REQUEST_INVALID', `Invalid body: a batch request has the one field batch; unknown field(s): ${unknownFieldList(keys.filter((k) => k !== 'batch'))}`);
  const batch = (body as { batch: unknown }).batch;
  if (!Array.isArray(batch)) throw new ApiError('REQUEST_INVALID', 'Invalid batch: expected an array of items');
  if (batch.length === 0) throw new ApiError('REQUEST_INVALID', 'Invalid batch: send at least one item');
  if (batch.length > maxItems) throw new ApiError('REQUEST_INVALID', `Invalid batch: at most ${maxItems} items (API_BATCH_MAX_ITEMS)`);
  return batch.map((item, index) => {
    const result = itemSchema.safeParse(item);
    if (result.success) return result.data;
    const issue = result.error.issues[0];
    const field = issue.path.length > 0 ? `.${String(issue.path[0])}` : '';
    const message = issue.code === 'unrecognized_keys' ? `unknown field(s): ${unknownFieldList(issue.keys)}` : issue.message;
    throw new ApiError('REQUEST_INVALID', `Invalid batch[${index}]${field}: ${message}`);
  });
}

/** A rotate-all job id from a path; a malformed one is 400 REQUEST_INVALID, the value never repeated. */
export function rotationJobIdOf(id: unknown): string {
  if (typeof id !== 'string' || !ROTATION_JOB_ID_PATTERN.test(id)) throw new ApiError('REQUEST_INVALID', 'Invalid job id: expected rotation-job- and up to 115 characters from [A-Za-z0-9._-]');
  return id;
}

/** Parses `If-Match` (`"3"`, `W/"3"` or `3`); anything else cannot match. */
export function ifMatchOf(header: string | string[] | undefined): number | undefined {
  if (header === undefined) return undefined;
  const raw = (Array.isArray(header) ? header[0] : header).trim().replace(/^W\//, '').replace(/^"|"$/g, '');
  if (!/^\d{1,15}$/.test(raw)) throw new ApiError('PRECONDITION_FAILED', 'If-Match does not match the key\'s ETag');
  return Number(raw);
}

export const etagOf = (revision: number): string => `"${revision}"`;
