/**
 * The `execute <task>` span, recorded where the task really runs: the event loop, a piscina
 * thread or a pooled child process.
 *
 * Design: the thread or child **records** its span as plain data and **hands it to the parent**,
 * which exports it through its own SDK (`exportExecuteSpan`). It runs no SDK and no exporter.
 * - A span must survive the run being killed. Piscina terminates a cancelled thread and the
 *   process pool kills a child on timeout: an exporter inside them would lose its buffered span
 *   exactly in the cases that must show up. Here the thread reports the opened span first
 *   (`onStart`), so the parent can close it as cancelled or timed out (`abandonExecuteSpan`)
 *   when the thread never reports its end.
 * - An SDK per thread costs ~200 ms of start-up and ~25 MB per isolate (measured: loading
 *   `@opentelemetry/sdk-node`), plus an export timer and an HTTP connection per thread.
 * - Ids and times are the thread's own: the span id is chosen here, so log lines written in the
 *   thread carry the span id Jaeger shows, and start/end are taken here on the epoch clock
 *   (`performance.timeOrigin + now()`), which every thread shares.
 * The records are plain JSON-safe objects, so the same code serves `postMessage` and `process.send`.
 */
import { context, trace, type HrTime } from '@opentelemetry/api';
import { hrTime, parseTraceParent } from '@opentelemetry/core';
import { randomBytes } from 'node:crypto';
import { threadId } from 'node:worker_threads';
import { SwitchyardAttributes } from '@switchyard/contracts';
import { ensureContextManager } from './context-manager';
import {
  executeSpanName,
  finishExecuteSpan,
  executeOutcomeOf,
  type ExecuteSpanEvent,
  type ExecuteSpanMeta,
  type ExecuteSpanRecord,
  type ExecuteSpanStart,
  type PlainAttributes,
  type PlainAttributeValue,
} from './execute-span-record';

/** What a task may add to its own execute span while it runs. */
export interface ExecuteSpanHandle {
  setAttribute(key: string, value: PlainAttributeValue): void;
  addEvent(name: string, attributes?: PlainAttributes): void;
}

export interface RunInExecuteSpanOptions {
  /** The task's abort signal: an error thrown after it fired is named cancelled or timeout by its reason. */
  signal?: AbortSignal;
  /** Called synchronously once the span is opened; send it to the parent at once. */
  onStart?: (start: ExecuteSpanStart) => void;
  /** Called with the finished span before the returned promise settles; send it to the parent. */
  onEnd?: (record: ExecuteSpanRecord) => void;
}

const INVALID_SPAN_ID = '0000000000000000';

/** The SDK's id generator would pull the SDK into every thread; a span id is 8 random bytes. */
function newSpanId(): string {
  const id = randomBytes(8).toString('hex');
  return id === INVALID_SPAN_ID ? newSpanId() : id;
}
const NO_SPAN: ExecuteSpanHandle = { setAttribute: () => undefined, addEvent: () => undefined };

function openSpan(meta: ExecuteSpanMeta): ExecuteSpanStart | undefined {
  const parent = meta.traceparent ? parseTraceParent(meta.traceparent) : null;
  if (!parent) return undefined;
  const attributes: PlainAttributes = {
    [SwitchyardAttributes.JobId]: meta.jobId,
    [SwitchyardAttributes.Task]: meta.task,
    [SwitchyardAttributes.ExecutionModel]: meta.model,
    [SwitchyardAttributes.ThreadId]: threadId,
    [SwitchyardAttributes.ProcessPid]: process.pid,
  };
  if (meta.lane) attributes[SwitchyardAttributes.Lane] = meta.lane;
  if (meta.attempt !== undefined) attributes[SwitchyardAttributes.Attempt] = meta.attempt;
  if (meta.profile) attributes[SwitchyardAttributes.Profile] = meta.profile;
  if (meta.queueWaitMs !== undefined) attributes[SwitchyardAttributes.QueueWaitMs] = meta.queueWaitMs;
  return {
    name: executeSpanName(meta.task),
    traceId: parent.traceId,
    spanId: newSpanId(),
    parentSpanId: parent.spanId,
    traceFlags: parent.traceFlags,
    traceState: meta.tracestate || undefined,
    startTime: hrTime(),
    attributes,
  };
}

/**
 * Runs `fn` inside the `execute <task>` span of `meta` (see the design note above) and returns
 * or throws what `fn` does. Without a `traceparent` it just runs `fn`: no span, no cost.
 */
export async function runInExecuteSpan<T>(
  meta: ExecuteSpanMeta,
  fn: (span: ExecuteSpanHandle) => Promise<T>,
  options: RunInExecuteSpanOptions = {},
): Promise<T> {
  const start = openSpan(meta);
  if (!start) return fn(NO_SPAN);
  ensureContextManager();
  options.onStart?.(start);
  const events: ExecuteSpanEvent[] = [];
  const handle: ExecuteSpanHandle = {
    setAttribute: (key, value) => {
      start.attributes[key] = value;
    },
    addEvent: (name, attributes) => events.push({ name, time: hrTime(), attributes }),
  };
  const active = trace.setSpanContext(context.active(), {
    traceId: start.traceId,
    spanId: start.spanId,
    traceFlags: start.traceFlags,
  });
  const end = (outcome: ExecuteSpanRecord['outcome'], endTime: HrTime, error?: unknown) =>
    options.onEnd?.(finishExecuteSpan(start, { outcome, error, endTime, events }));
  let value: T;
  try {
    value = await context.with(active, () => fn(handle));
  } catch (error) {
    end(executeOutcomeOf(error, options.signal), hrTime(), error);
    throw error;
  }
  end('completed', hrTime());
  return value;
}
