import type { FastifyInstance } from 'fastify';

/**
 * Makes `application/json` (any parameters, any case) the only body type Fastify reads; a body of
 * any other type, or one without a content type, is refused before routing with 415
 * UNSUPPORTED_MEDIA_TYPE. Nest's default parsers would also read forms: a JSON body sent as
 * `application/x-www-form-urlencoded` became one field named after the whole body, which then came
 * back in the unknown-field error. Uses Fastify's own JSON parser (proto and constructor poisoning
 * refused), as the crypto fast path does. Create the Nest app with `bodyParser: false`.
 */
export function acceptJsonBodiesOnly(fastify: FastifyInstance): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, fastify.getDefaultJsonParser('error', 'error'));
}
