import { context, propagation, type Context } from '@opentelemetry/api';
import { parseTraceParent } from '@opentelemetry/core';

/** W3C trace context as Switchyard carries it in job data and task messages. */
export interface TraceCarrier {
  traceparent?: string;
  tracestate?: string;
}

/**
 * The W3C trace context of `ctx` (default: the active one), to store in a job or task message.
 * Empty when nothing is traced (no SDK, or no endpoint configured).
 */
export function injectTraceContext(ctx: Context = context.active()): TraceCarrier {
  const headers: Record<string, string> = {};
  propagation.inject(ctx, headers);
  const carrier: TraceCarrier = {};
  if (headers.traceparent) carrier.traceparent = headers.traceparent;
  if (headers.tracestate) carrier.tracestate = headers.tracestate;
  return carrier;
}

/** Runs `fn` with the context carried by `carrier` as the active one (spans started inside become its children). */
export function withExtractedContext<T>(carrier: TraceCarrier, fn: () => T): T {
  const headers: Record<string, string> = {};
  if (carrier.traceparent) headers.traceparent = carrier.traceparent;
  if (carrier.tracestate) headers.tracestate = carrier.tracestate;
  return context.with(propagation.extract(context.active(), headers), fn);
}

/** The trace id inside a `traceparent`, e.g. for a job's Jaeger link; undefined when absent or malformed. */
export function traceIdOf(traceparent: string | undefined): string | undefined {
  return (traceparent && parseTraceParent(traceparent)?.traceId) || undefined;
}
