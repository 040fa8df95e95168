import { context, propagation, TraceFlags, type Context } from '@opentelemetry/api';
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

/**
 * Whether a `traceparent`'s sampled flag is set: only then were its spans recorded and exported, so
 * only then is there a trace to link to (the trace id is still the one its log lines carry).
 */
export function isSampled(traceparent: string | undefined): boolean {
  const parsed = traceparent ? parseTraceParent(traceparent) : null;
  return parsed ? (parsed.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED : false;
}
