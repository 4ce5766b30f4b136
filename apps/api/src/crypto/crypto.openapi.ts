import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiResponse } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { z } from 'zod';
import {
  dataKeyItemSchema,
  dataKeySchema,
  decryptItemSchema,
  decryptSchema,
  encryptItemSchema,
  encryptSchema,
  signItemSchema,
  signJwtSchema,
  signSchema,
  verifyItemSchema,
  verifyJwtSchema,
  verifySchema,
} from '../http/schemas';
import { DEFAULT_BATCH_SETTINGS } from './batch-answer';

// The OpenAPI request bodies are generated from the zod schemas the routes validate with (one
// source); the answers are described here by zod schemas of their own.

/** A zod schema as an OpenAPI 3.0 schema object (refinements, which JSON Schema cannot say, are left out). */
export const openApiSchema = (schema: z.ZodType): SchemaObject => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest as SchemaObject;
};

const errorItem = z.object({ reference: z.string().optional(), error: z.object({ code: z.string(), message: z.string() }) });
const keyVersion = z.number().int().min(1);
export const signAnswerSchema = z.object({
  signature: z.string().describe('base64; ECDSA DER unless marshaling is raw'),
  keyVersion,
  kid: z.string(),
  algorithm: z.string(),
  signatureString: z.string().describe('kl1sig.<kid>.<base64url signature>'),
});
export const verifyAnswerSchema = z.object({ valid: z.boolean(), keyVersion: keyVersion.optional().describe('the version checked, or the one that matched; absent when none did') });
export const sealedAnswerSchema = z.object({ ciphertext: z.string(), keyVersion });
export const openedAnswerSchema = z.object({ plaintext: z.string().describe('base64'), keyVersion });
export const dataKeyAnswerSchema = z.object({ ciphertext: z.string(), keyVersion, plaintext: z.string().optional() });
export const signJwtAnswerSchema = z.object({ jwt: z.string(), kid: z.string(), keyVersion, algorithm: z.enum(['ES256', 'EdDSA', 'PS256']) });
export const verifyJwtAnswerSchema = z.object({
  valid: z.boolean(),
  kid: z.string().optional(),
  keyVersion: keyVersion.optional(),
  claims: z.record(z.string(), z.unknown()).optional(),
  reason: z.enum(['signature', 'kid', 'alg', 'expired', 'not_yet_valid', 'crit']).optional(),
});

const batchBody = (item: z.ZodType): SchemaObject => ({
  type: 'object',
  required: ['batch'],
  additionalProperties: false,
  properties: { batch: { type: 'array', minItems: 1, maxItems: DEFAULT_BATCH_SETTINGS.maxItems, items: openApiSchema(item), description: 'at most API_BATCH_MAX_ITEMS items' } },
});
const batchAnswerSchema = (answer: z.ZodObject): SchemaObject => ({
  type: 'object',
  required: ['results'],
  properties: { results: { type: 'array', items: { oneOf: [openApiSchema(answer.extend({ reference: z.string().optional() })), openApiSchema(errorItem)] } } },
});

interface RouteDoc {
  readonly single: z.ZodType;
  readonly item?: z.ZodType;
  readonly answer: z.ZodObject;
  readonly example: object;
}

/** Request and response documentation of a crypto route: the single body, and the batch body where the route takes one. */
function cryptoRoute(doc: RouteDoc): MethodDecorator {
  const single = openApiSchema(doc.single);
  if (doc.item === undefined) {
    return applyDecorators(ApiBody({ schema: single, examples: { single: { value: doc.example } } }), ApiOkResponse({ schema: openApiSchema(doc.answer) }));
  }
  return applyDecorators(
    ApiBody({
      schema: { oneOf: [single, batchBody(doc.item)] },
      examples: { single: { value: doc.example }, batch: { value: { batch: [{ ...doc.example, reference: 'item-1' }, doc.example] } } },
    }),
    ApiOkResponse({ description: 'the answer, or for a batch every item answered', schema: { oneOf: [openApiSchema(doc.answer), batchAnswerSchema(doc.answer)] } }),
    ApiResponse({ status: 400, description: 'bad input (a batch names the first bad index), or a batch with a failed item (BATCH_PARTIAL_FAILURE_STATUS; the results are in the body)' }),
  );
}

const message = Buffer.from('release 4.2.0').toString('base64');
export const CRYPTO_DOCS = {
  sign: cryptoRoute({ single: signSchema, item: signItemSchema, answer: signAnswerSchema, example: { message } }),
  verify: cryptoRoute({ single: verifySchema, item: verifyItemSchema, answer: verifyAnswerSchema, example: { message, signatureString: 'kl1sig.key-1.v1.MEUCIQ…' } }),
  encrypt: cryptoRoute({ single: encryptSchema, item: encryptItemSchema, answer: sealedAnswerSchema, example: { plaintext: message, context: { order: '42' } } }),
  decrypt: cryptoRoute({ single: decryptSchema, item: decryptItemSchema, answer: openedAnswerSchema, example: { ciphertext: 'kl1.eyJ0Ijo…', context: { order: '42' } } }),
  rewrap: cryptoRoute({ single: decryptSchema, item: decryptItemSchema, answer: sealedAnswerSchema, example: { ciphertext: 'kl1.eyJ0Ijo…', context: { order: '42' } } }),
  dataKey: cryptoRoute({ single: dataKeySchema, item: dataKeyItemSchema, answer: dataKeyAnswerSchema, example: { bits: 256, includePlaintext: true } }),
  signJwt: cryptoRoute({ single: signJwtSchema, answer: signJwtAnswerSchema, example: { claims: { sub: 'deploy-bot', exp: 1767225600 }, header: { typ: 'JWT' } } }),
  verifyJwt: cryptoRoute({ single: verifyJwtSchema, answer: verifyJwtAnswerSchema, example: { jwt: 'eyJhbGciOiJFUzI1NiIs….eyJzdWIiOi….MEUCIQ…' } }),
} as const;
