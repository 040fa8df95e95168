import { context, isSpanContextValid, trace } from '@opentelemetry/api';
import { isMainThread, threadId } from 'node:worker_threads';
import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

export interface LoggerOptions {
  /** pino level. @defaultValue LOG_LEVEL, else info */
  level?: string;
  /** Where lines go. @defaultValue stdout */
  destination?: DestinationStream;
}

/**
 * Adds the active span's ids to every line. pino's OpenTelemetry instrumentation does the same,
 * but only for pino loaded after the SDK starts and never in threads or children that run no
 * SDK; this mixin works wherever a context manager is registered (see `runInExecuteSpan`).
 */
function traceFields(): Record<string, string> {
  const span = trace.getSpan(context.active());
  const spanContext = span?.spanContext();
  if (!spanContext || !isSpanContextValid(spanContext)) return {};
  return {
    trace_id: spanContext.traceId,
    span_id: spanContext.spanId,
    trace_flags: `0${spanContext.traceFlags.toString(16)}`,
  };
}

/**
 * A pino JSON logger named `name`. Lines written inside a span carry `trace_id` and `span_id`;
 * lines from a worker thread carry `thread_id`.
 */
export function createLogger(name: string, options: LoggerOptions = {}): Logger {
  const level = options.level ?? (process.env.LOG_LEVEL || 'info');
  const base = isMainThread ? { name } : { name, thread_id: threadId };
  return pino({ name, level, base: { pid: process.pid, ...base }, mixin: traceFields }, options.destination);
}
