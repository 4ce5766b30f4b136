import { z } from 'zod';
import { base64, idSchema } from '../http/schemas';

/** Body of `POST /v1/break-glass`: exactly one of `tenantId` or `scope: "global"`. */
export const requestSchema = z
  .object({
    tenantId: idSchema.optional(),
    scope: z.literal('global').optional(),
    justification: z.string().trim().min(20, 'must be at least 20 characters').max(2000),
    incidentRef: idSchema,
    ttlMinutes: z.number().int().min(1).max(1440).default(240),
  })
  .strict()
  .refine((b) => (b.tenantId === undefined) !== (b.scope === undefined), 'send exactly one of tenantId or scope: "global"');

export const approveSchema = z.object({ role: z.enum(['approver-security', 'approver-finance']).optional() }).strict();

export const emergencySignSchema = z
  .object({
    message: base64(1024 * 512).optional(),
    digest: base64(64).optional(),
    justification: z.string().trim().min(1, 'must not be empty').max(2000),
    tenantId: idSchema.optional(),
  })
  .strict()
  .refine((b) => (b.message === undefined) !== (b.digest === undefined), 'send exactly one of message or digest')
  .refine((b) => b.digest === undefined || Buffer.byteLength(b.digest, 'base64') === 32, 'digest must be 32 bytes (SHA-256)');

export const closeSchema = z.object({ reason: z.string().trim().min(1).max(2000) }).strict();

/** `?state=` of the list route, mapped to session statuses. */
export const STATES = {
  requested: 'Requested',
  active: 'Active',
  'key-lost': 'KeyLost',
  ended: 'Ended',
  'key-destroyed': 'KeyDestroyed',
} as const;

export const listSchema = z.object({ state: z.enum(Object.keys(STATES) as [keyof typeof STATES, ...(keyof typeof STATES)[]]).optional() }).strict();
