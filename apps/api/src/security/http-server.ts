import http from 'node:http';
import type { FastifyServerFactory } from 'fastify';

/**
 * The api's HTTP server with the slow-client limits Node leaves loose by default: a request must arrive
 * whole (headers and body) within `requestTimeoutMs`, and the limits are checked every second instead of
 * every 30 s, so a client that stalls mid-body is cut off in time.
 */
export function hardenedServerFactory(requestTimeoutMs: number): FastifyServerFactory {
  return (handler) =>
    http.createServer(
      {
        requestTimeout: requestTimeoutMs,
        headersTimeout: Math.min(requestTimeoutMs, 15_000),
        connectionsCheckingInterval: 1_000,
        keepAliveTimeout: 5_000,
      },
      handler,
    );
}
