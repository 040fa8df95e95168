import { context, propagation, type Context } from '@opentelemetry/api';
import { parseTraceParent } from '@opentelemetry/core';
import type { TraceContext } from '@switchyard/contracts';

/**
 * The W3C trace context of `ctx` (default: the active one), to store in a job or task message.
 * Empty when nothing is traced (no SDK, or no endpoint configured).
 */
export function injectTraceContext(ctx: Context = context.active()): TraceContext {
  const headers: Record<string, string> = {};
  propagation.inject(ctx, headers);
  const trace: TraceContext = {};
  if (headers.traceparent) trace.traceparent = headers.traceparent;
  if (headers.tracestate) trace.tracestate = headers.tracestate;
  return trace;
}

/** The trace id inside a `traceparent`, e.g. for a job's Jaeger link; undefined when absent or malformed. */
export function traceIdOf(traceparent: string | undefined): string | undefined {
  return (traceparent && parseTraceParent(traceparent)?.traceId) || undefined;
}
