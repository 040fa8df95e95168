import { context } from '@opentelemetry/api';
import { getRPCMetadata, RPCType } from '@opentelemetry/core';

/**
 * Tells the HTTP instrumentation which route template the current request matched, e.g.
 * `/v1/jobs/:id`. It then sets `http.route` on the server span and names it `GET /v1/jobs/:id`
 * instead of only `GET` (the instrumentation cannot know a framework's routes; no Fastify
 * instrumentation is used). Call it from a request hook, inside the request's context;
 * without tracing, or without a route (a 404), it does nothing.
 */
export function setHttpRoute(route: string | undefined): void {
  const metadata = getRPCMetadata(context.active());
  if (route && metadata?.type === RPCType.HTTP) metadata.route = route;
}
