import { context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';

/**
 * Runs `fn` with tracing suppressed: no span is started under it, whichever instrumentation
 * asks (HTTP, ioredis). For work a trace should not show command by command, e.g. a batch's
 * transaction, where each job already carries its own trace context and one Redis span per job
 * in the batch request's trace is what a batch's links are there to avoid.
 */
export function untraced<T>(fn: () => T): T {
  return context.with(suppressTracing(context.active()), fn);
}
