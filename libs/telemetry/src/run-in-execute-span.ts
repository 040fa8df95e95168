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
import { threadId } from 'node:worker_threads';
import { SwitchyardAttributes, type AttemptContext, type ExecutionModel } from '@switchyard/contracts';
import { ensureContextManager } from './context-manager';
import {
  executeSpanName,
  finishExecuteSpan,
  executeOutcomeOf,
  type ExecuteSpanRecord,
  type ExecuteSpanStart,
  type PlainAttributes,
} from './execute-span-record';
import { newSpanId } from './random-ids';

export interface RunInExecuteSpanOptions {
  /** The task's abort signal: an error thrown after it fired is named cancelled or timeout by its reason. */
  signal?: AbortSignal;
  /** Called synchronously once the span is opened; send it to the parent at once. */
  onStart?: (start: ExecuteSpanStart) => void;
  /** Called with the finished span before the returned promise settles; send it to the parent. */
  onEnd?: (record: ExecuteSpanRecord) => void;
  /** Read once `fn` has settled, just before the span ends: attributes known only then (its CPU time). */
  endAttributes?: () => PlainAttributes;
}

/**
 * What a thread or child reports of its execute span as it opens: the rest of the start is the attempt's,
 * the model's and the placement's, which the parent knows already (`executeSpanStart` rebuilds it).
 */
export interface ExecuteSpanOpening {
  spanId: string;
  startTime: HrTime;
}

/**
 * The execute span's start for `attempt`, run by `model` on `where`, opened as `opening` says; undefined
 * without a valid traceparent (nothing is traced then). The thread builds it as it opens the span, and a
 * parent from the thread's `ExecuteSpanOpening` when it must close the span of a thread it stopped.
 */
export function executeSpanStart(
  attempt: AttemptContext,
  model: ExecutionModel,
  where: { pid: number; threadId: number },
  opening: ExecuteSpanOpening,
): ExecuteSpanStart | undefined {
  const parent = attempt.traceparent ? parseTraceParent(attempt.traceparent) : null;
  if (!parent) return undefined;
  const attributes: PlainAttributes = {
    [SwitchyardAttributes.JobId]: attempt.jobId,
    [SwitchyardAttributes.Task]: attempt.task,
    [SwitchyardAttributes.ExecutionModel]: model,
    [SwitchyardAttributes.Lane]: attempt.lane,
    [SwitchyardAttributes.Profile]: attempt.profile,
    [SwitchyardAttributes.Attempt]: attempt.attempt,
    [SwitchyardAttributes.QueueWaitMs]: attempt.queueWaitMs,
    [SwitchyardAttributes.ThreadId]: where.threadId,
    [SwitchyardAttributes.ProcessPid]: where.pid,
  };
  return {
    name: executeSpanName(attempt.task),
    traceId: parent.traceId,
    spanId: opening.spanId,
    parentSpanId: parent.spanId,
    traceFlags: parent.traceFlags,
    traceState: attempt.tracestate || undefined,
    startTime: opening.startTime,
    attributes,
  };
}

function openSpan(attempt: AttemptContext, model: ExecutionModel): ExecuteSpanStart | undefined {
  if (!attempt.traceparent) return undefined;
  return executeSpanStart(
    attempt,
    model,
    { pid: process.pid, threadId },
    { spanId: newSpanId(), startTime: hrTime() },
  );
}

/**
 * Runs `fn` inside the `execute <task>` span of `attempt`, run by `model` (see the design note above),
 * and returns or throws what `fn` does. Without a `traceparent` it just calls `fn`: no span, no cost.
 */
export function runInExecuteSpan<T>(
  attempt: AttemptContext,
  model: ExecutionModel,
  fn: () => Promise<T>,
  options: RunInExecuteSpanOptions = {},
): Promise<T> {
  const start = openSpan(attempt, model);
  return start ? runTraced(start, fn, options) : fn();
}

async function runTraced<T>(
  start: ExecuteSpanStart,
  fn: () => Promise<T>,
  options: RunInExecuteSpanOptions,
): Promise<T> {
  ensureContextManager();
  options.onStart?.(start);
  const active = trace.setSpanContext(context.active(), {
    traceId: start.traceId,
    spanId: start.spanId,
    traceFlags: start.traceFlags,
  });
  const end = (outcome: ExecuteSpanRecord['outcome'], endTime: HrTime, error?: unknown) =>
    options.onEnd?.(
      finishExecuteSpan(start, { outcome, error, endTime, attributes: options.endAttributes?.() }),
    );
  let value: T;
  try {
    value = await context.with(active, fn);
  } catch (error) {
    end(executeOutcomeOf(error, options.signal), hrTime(), error);
    throw error;
  }
  end('completed', hrTime());
  return value;
}
