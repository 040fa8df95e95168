import type { FastifyInstance } from 'fastify';

/** Bodies up to this many bytes (content-length) are read to their end after a 413. */
const DRAIN_MAX_BYTES = 8 * 1_048_576;

/**
 * A body over the limit is refused with 413 before it is read, and Fastify then closes the connection
 * ("the client may send more data"): a client still sending its body gets EPIPE or ECONNRESET, often
 * before it reads the 413, so the answer is lost. Up to `DRAIN_MAX_BYTES` with a content-length, the
 * connection stays open instead and Node reads the rest of the body and discards it (bounded in time
 * by the server's request timeout), so the client reads the 413; a larger or unsized body still closes.
 */
export function answerOversizedBodies(fastify: FastifyInstance): void {
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (reply.statusCode === 413) {
      const declared = Number(request.headers['content-length']);
      if (declared > 0 && declared <= DRAIN_MAX_BYTES) reply.removeHeader('connection');
    }
    done(null, payload);
  });
}
