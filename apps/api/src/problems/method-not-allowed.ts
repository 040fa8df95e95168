import type { FastifyInstance } from 'fastify';
import { ProblemError } from './problem-error';

/** A registered path template (`/v1/jobs/:id`) as a pattern over request paths. */
function pathPattern(url: string): RegExp {
  const source = url
    .split('/')
    .map((segment) =>
      segment.startsWith(':')
        ? '[^/]+'
        : segment === '*'
          ? '.*'
          : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('/');
  return new RegExp(`^${source}$`);
}

/**
 * A request whose path exists under other methods (`PUT /v1/jobs`) is answered 405 with `Allow`
 * (RFC 9110), not 404: the client has the right resource and the wrong method. Installed before any
 * route, so it sees every route as it is registered; catch-all routes (`*`) name no resource and are skipped.
 */
export function answerMethodNotAllowed(fastify: FastifyInstance): void {
  const routes = new Map<string, { pattern: RegExp; parameters: number; methods: Set<string> }>();
  fastify.addHook('onRoute', (route) => {
    if (route.url === '*' || route.url === '/*') return;
    const entry = routes.get(route.url) ?? {
      pattern: pathPattern(route.url),
      parameters: route.url.split('/').filter((segment) => segment.startsWith(':')).length,
      methods: new Set<string>(),
    };
    for (const method of [route.method].flat()) entry.methods.add(method.toUpperCase());
    routes.set(route.url, entry);
  });
  fastify.addHook('onRequest', async (request) => {
    if (!request.is404) return;
    const path = request.url.split('?', 1)[0];
    // The resource is the most specific template that names the path: `/v1/jobs/batch` is the batch
    // resource (POST), not a job whose id is "batch", though `/v1/jobs/:id` matches it too.
    const matching = [...routes.values()].filter(({ pattern }) => pattern.test(path));
    if (matching.length === 0) return;
    const fewest = Math.min(...matching.map(({ parameters }) => parameters));
    const allowed = new Set<string>();
    for (const { parameters, methods } of matching) {
      if (parameters === fewest) methods.forEach((method) => allowed.add(method));
    }
    const allow = [...allowed].sort().join(', ');
    throw new ProblemError(
      405,
      'Method not allowed',
      `${request.method} is not allowed on ${path}; use ${allow}`,
      {},
      { allow },
    );
  });
}
