import { createTraceState, ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import { hrTime } from '@opentelemetry/core';
import {
  finishExecuteSpan,
  type ExecuteOutcome,
  type ExecuteSpanRecord,
  type ExecuteSpanStart,
} from './execute-span-record';
import { recordedSpanSink } from './export/recorded-span-sink';
import { handoverIds } from './handover-id-generator';

const TRACER_NAME = 'switchyard-execution';
const SCOPE: InstrumentationScope = { name: TRACER_NAME };

/**
 * Parent side of the execute span: exports a span that a thread, a child process or the event
 * loop recorded with `runInExecuteSpan`, through this process's SDK, with the ids and times it
 * was recorded with (straight to the exporting processors when it can: `RecordedSpanSink`). Without a
 * started SDK (no endpoint) it does nothing.
 */
export function exportExecuteSpan(record: ExecuteSpanRecord): void {
  const sink = recordedSpanSink();
  if (sink?.export({ ...record, kind: SpanKind.INTERNAL, scope: SCOPE, links: [] })) return;
  const parent = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: record.traceId,
    spanId: record.parentSpanId,
    traceFlags: record.traceFlags,
    traceState: record.traceState ? createTraceState(record.traceState) : undefined,
    isRemote: true,
  });
  const tracer = trace.getTracer(TRACER_NAME);
  const span = handoverIds.withSpanId(record.spanId, () =>
    tracer.startSpan(
      record.name,
      { kind: SpanKind.INTERNAL, startTime: record.startTime, attributes: record.attributes },
      parent,
    ),
  );
  for (const event of record.events) span.addEvent(event.name, event.attributes, event.time);
  span.setStatus(record.status);
  span.end(record.endTime);
}

/**
 * Closes a span whose thread or child died before reporting its end (terminated on cancel,
 * killed on timeout, crashed), as seen from the parent, now. Export the result with
 * `exportExecuteSpan`.
 */
export function abandonExecuteSpan(
  start: ExecuteSpanStart,
  outcome: Exclude<ExecuteOutcome, 'completed'>,
  error?: unknown,
): ExecuteSpanRecord {
  return finishExecuteSpan(start, { outcome, error, endTime: hrTime() });
}

/**
 * Re-closes a span whose handler completed but whose run the executor then judged timed out or
 * cancelled (inline: the deadline passed while the handler held the thread; event-loop: the run
 * was abandoned and the handler ignored its signal), keeping the handler's own end time.
 * A span that already ended otherwise is returned as it is.
 */
export function reviseExecuteSpan(
  record: ExecuteSpanRecord,
  outcome: Exclude<ExecuteOutcome, 'completed'>,
  error?: unknown,
): ExecuteSpanRecord {
  if (record.outcome !== 'completed') return record;
  return finishExecuteSpan(record, { outcome, error, endTime: record.endTime, events: record.events });
}
