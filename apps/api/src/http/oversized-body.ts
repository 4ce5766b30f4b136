import type { FastifyInstance } from 'fastify';

/** Declared bodies up to this many times the limit are read to the end before they are refused. */
export const OVERSIZED_DRAIN_FACTOR = 4;

/**
 * Reads and drops a body whose declared length is over the limit before the request goes on to
 * be refused (400 BODY_TOO_LARGE). Refusing at once and closing the connection while the client
 * is still uploading makes the client's socket fail (EPIPE or ECONNRESET) before it reads the
 * answer, now and then (about one upload in 200 here); reading the rest first, as nginx's
 * lingering close does, lets every client read why it was refused. Declared lengths over
 * OVERSIZED_DRAIN_FACTOR × the limit are refused at once: reading gigabytes only to say no is not
 * worth it. Nothing is buffered: the bytes are read and dropped.
 */
export function drainOversizedBodies(fastify: FastifyInstance, bodyLimit: number): void {
  fastify.addHook('onRequest', (request, _reply, done) => {
    const declared = Number(request.headers['content-length']);
    if (!(declared > bodyLimit) || declared > OVERSIZED_DRAIN_FACTOR * bodyLimit) {
      done();
      return;
    }
    const raw = request.raw;
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      raw.off('end', finish).off('error', finish).off('close', finish);
      done();
    };
    raw.on('end', finish).on('error', finish).on('close', finish);
    raw.resume();
  });
}
