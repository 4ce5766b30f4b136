import { z } from 'zod';
import { idSchema } from '../http/schemas';

/** A decimal whole number in a query string (no sign, exponent, spaces or leading zeros), at least `min`. */
const whole = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .regex(/^(0|[1-9][0-9]{0,15})$/, 'expected a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

export const inclusionQuerySchema = z.object({ eventId: idSchema, treeSize: whole(1).optional() }).strict();
export const consistencyQuerySchema = z.object({ from: whole(1), to: whole(1).optional() }).strict();
export const eventsQuerySchema = z.object({ fromPosition: whole(1).default(1), limit: whole(1, 1000).default(100) }).strict();
export const emptyQuerySchema = z.object({}).strict();
