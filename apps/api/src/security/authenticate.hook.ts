import { createHash } from 'node:crypto';
import { ANONYMOUS, hasScope, type ApiKeyRing, type Principal } from '@switchyard/auth';
import { ProblemError } from '../problems/problem-error';
import type { FastifyInstance, FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who sent the request; set for every route but the public ones. */
    principal?: Principal;
    /** SHA-256 of the bearer key: what rate limits count by, never the key itself. */
    keyHash?: string;
  }
}

/** Open without a key, so probes work: liveness and readiness only. */
const PUBLIC_PATHS = new Set(['/healthz', '/readyz']);
/** Operator surfaces: the admin scope on this port (or no key on ADMIN_PORT). */
const ADMIN_PATH = /^\/(metrics|docs|docs-json|admin)(\/|$|\?)/;

function unauthorized(detail: string): ProblemError {
  return new ProblemError(401, 'Unauthorized', detail, {}, { 'www-authenticate': 'Bearer' });
}

function bearerKey(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^Bearer ([\x21-\x7e]{1,512})$/.exec(header);
  if (!match) throw unauthorized('the Authorization header must be `Bearer <key>`');
  return match[1];
}

/**
 * Puts a principal on every request, before any other work: 401 without a valid key (AUTH=keys), 403 for
 * the operator paths without the admin scope. `keys` undefined means AUTH=none: everyone is anonymous.
 */
export function installAuthentication(fastify: FastifyInstance, keys: ApiKeyRing | undefined): void {
  fastify.addHook('onRequest', async (request) => {
    const path = request.url.split('?', 1)[0];
    if (PUBLIC_PATHS.has(path)) return;
    if (keys === undefined) {
      request.principal = ANONYMOUS;
      return;
    }
    const key = bearerKey(request);
    if (key === undefined) {
      throw unauthorized(
        'send an API key as `Authorization: Bearer <key>`; create one with `switchyard keys create`',
      );
    }
    const principal = keys.authenticate(key);
    if (!principal) throw unauthorized('the API key is not valid; check it or create a new one');
    request.principal = principal;
    request.keyHash = createHash('sha256').update(key).digest('hex');
    if (ADMIN_PATH.test(request.url) && !hasScope(principal, 'admin')) {
      throw new ProblemError(403, 'Forbidden', 'this operator endpoint needs a key with the admin scope');
    }
  });
}
