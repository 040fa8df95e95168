import { SpanStatusCode, type HrTime } from '@opentelemetry/api';
import {
  isCancellation,
  isTimeout,
  JobCancelledError,
  JobTimeoutError,
  SwitchyardAttributes,
} from '@switchyard/contracts';

/** How one run of a task ended, as `switchyard.outcome` names it. */
export type ExecuteOutcome = 'completed' | 'failed' | 'cancelled' | 'timeout';

/** A span attribute value that survives both structured clone and JSON IPC. */
export type PlainAttributeValue = string | number | boolean;
export type PlainAttributes = Record<string, PlainAttributeValue>;

/**
 * The execute span as it was opened in the thread or process that runs the task. Plain data
 * (hex ids, `[seconds, nanos]` times), so it crosses `postMessage` and `process.send` unchanged.
 */
export interface ExecuteSpanStart {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  traceFlags: number;
  traceState?: string;
  startTime: HrTime;
  attributes: PlainAttributes;
}

export interface ExecuteSpanEvent {
  name: string;
  time: HrTime;
  attributes?: PlainAttributes;
}

/** The finished execute span, ready for `exportExecuteSpan`. */
export interface ExecuteSpanRecord extends ExecuteSpanStart {
  endTime: HrTime;
  outcome: ExecuteOutcome;
  /** `SpanStatusCode`: 0 unset, 1 ok, 2 error. */
  status: { code: SpanStatusCode; message?: string };
  events: ExecuteSpanEvent[];
}

export function executeSpanName(task: string): string {
  return `execute ${task}`;
}

/**
 * Names an error's outcome. The abort reason wins over the error itself, because a handler
 * that honours its signal usually throws a generic AbortError rather than our typed error.
 */
export function executeOutcomeOf(error: unknown, signal?: AbortSignal): Exclude<ExecuteOutcome, 'completed'> {
  const reason = signal?.aborted ? signal.reason : undefined;
  if (isTimeout(reason) || error instanceof JobTimeoutError) return 'timeout';
  if (isCancellation(reason) || error instanceof JobCancelledError) return 'cancelled';
  return 'failed';
}

function exceptionEvent(error: unknown, time: HrTime): ExecuteSpanEvent {
  const attributes: PlainAttributes =
    error instanceof Error
      ? { 'exception.type': error.name, 'exception.message': error.message }
      : { 'exception.message': String(error) };
  if (error instanceof Error && error.stack) attributes['exception.stacktrace'] = error.stack;
  return { name: 'exception', time, attributes };
}

/**
 * Closes a started span with its outcome. A failure or timeout is an error (status ERROR); a
 * cancellation is a client's choice, so it keeps status UNSET and says so in `switchyard.outcome`
 * and in the recorded exception event, instead of painting the trace red.
 */
export function finishExecuteSpan(
  start: ExecuteSpanStart,
  ending: {
    outcome: ExecuteOutcome;
    error?: unknown;
    endTime: HrTime;
    events?: ExecuteSpanEvent[];
    /** Known only at the end, such as the run's CPU time. */
    attributes?: PlainAttributes;
  },
): ExecuteSpanRecord {
  const events = [...(ending.events ?? [])];
  if (ending.outcome !== 'completed' && ending.error !== undefined) {
    events.push(exceptionEvent(ending.error, ending.endTime));
  }
  const isError = ending.outcome === 'failed' || ending.outcome === 'timeout';
  const message = ending.error instanceof Error ? ending.error.message : ending.outcome;
  return {
    ...start,
    attributes: { ...start.attributes, ...ending.attributes, [SwitchyardAttributes.Outcome]: ending.outcome },
    endTime: ending.endTime,
    outcome: ending.outcome,
    status: isError ? { code: SpanStatusCode.ERROR, message } : { code: SpanStatusCode.UNSET },
    events,
  };
}
