import { z } from 'zod';
import { ROTATION_JOB_ID_PATTERN } from '@keyledger/kms-domain';
import { ApiError } from './api-error';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Standard base64 that decodes to 1..`max` bytes. */
export const base64 = (max: number) =>
  z
    .string()
    .min(1, 'must not be empty')
    .regex(BASE64, 'must be standard base64')
    .refine((s) => Buffer.byteLength(s, 'base64') <= max, `must decode to at most ${max} bytes`);

export const idSchema = z.string().regex(ID, 'expected 1..128 characters from [A-Za-z0-9._-], starting with a letter or digit');
export const contextSchema = z.record(z.string().min(1), z.string()).optional();

export const createKeySchema = z
  .object({
    tenantId: idSchema,
    name: idSchema,
    purpose: z.enum(['sign', 'encrypt']),
    algorithm: z.enum(['ECDSA_P256_SHA256', 'ED25519', 'RSA_PSS_2048_SHA256', 'RSA_PSS_3072_SHA256', 'AES_256_GCM']).optional(),
    provider: z.enum(['local', 'aws', 'pkcs11']).optional(),
    mode: z.enum(['wrapped', 'provider-resident']).optional(),
    rotationPeriodDays: z.number().int().min(1).max(3650).optional(),
  })
  .strict();
export const emptySchema = z.object({}).strict();
export const scheduleDeletionSchema = z.object({ pendingWindowDays: z.number().int().min(7).max(30).optional() }).strict();
export const patchKeySchema = z
  .object({ minDecryptionVersion: z.number().int().min(1).optional(), rotationPeriodDays: z.number().int().min(1).max(3650).optional() })
  .strict()
  .refine((b) => b.minDecryptionVersion !== undefined || b.rotationPeriodDays !== undefined, 'send minDecryptionVersion and/or rotationPeriodDays');
export const signSchema = z
  .object({ message: base64(1024 * 512).optional(), digest: base64(64).optional() })
  .strict()
  .refine((b) => (b.message === undefined) !== (b.digest === undefined), 'send exactly one of message or digest')
  .refine((b) => b.digest === undefined || Buffer.byteLength(b.digest, 'base64') === 32, 'digest must be 32 bytes (SHA-256)');
export const verifySchema = z
  .object({ message: base64(1024 * 512).optional(), digest: base64(64).optional(), signature: base64(1024), keyVersion: z.number().int().min(1).optional() })
  .strict()
  .refine((b) => (b.message === undefined) !== (b.digest === undefined), 'send exactly one of message or digest')
  .refine((b) => b.digest === undefined || Buffer.byteLength(b.digest, 'base64') === 32, 'digest must be 32 bytes (SHA-256)');
export const encryptSchema = z.object({ plaintext: base64(1024 * 256), context: contextSchema }).strict();
export const decryptSchema = z.object({ ciphertext: z.string().min(1).max(1024 * 512), context: contextSchema }).strict();
export const dataKeySchema = z
  .object({ context: contextSchema, bits: z.union([z.literal(128), z.literal(256)]).default(256), includePlaintext: z.boolean().default(true) })
  .strict();
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
