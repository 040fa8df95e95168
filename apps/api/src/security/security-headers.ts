import type { FastifyInstance } from 'fastify';
import helmet from 'helmet';

/**
 * helmet's security headers on every answer, its middleware built once. (`@fastify/helmet` calls
 * `helmet(options)` anew on each request, which parses the CSP directives each time, and adds two
 * hooks, one of them async: a few µs of every request's CPU for the same headers.)
 */
export function installSecurityHeaders(fastify: FastifyInstance): void {
  const setHeaders = helmet({
    // The Swagger UI at /docs runs inline scripts and styles; the API itself serves JSON only.
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", "'unsafe-inline'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
      },
    },
  });
  fastify.addHook('onRequest', (request, reply, done) => {
    // helmet 8 throws its errors rather than passing them on; it calls back with none.
    setHeaders(request.raw, reply.raw, () => done());
  });
}
