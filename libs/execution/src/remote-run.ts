import type { AttemptContext, ExecutionPlacement } from '@switchyard/contracts';
import type { ExecuteSpanOpening, ExecuteSpanRecord } from '@switchyard/telemetry/worker';
import { serializeError, type SerializedError } from './execution-errors';
import { runTask, type TaskRunner } from './run-task';

/**
 * Sent by a thread or child while a task runs. `start` carries the execute span's id and start time
 * (when the run is traced), so the parent can still close that span if the thread or child is killed:
 * one message where two were sent, since each wakes the parent's event loop, and only what the parent
 * cannot know (it rebuilds the rest from the attempt: `executeSpanStart`). The span opens just before the
 * payload is validated, synchronously, so only a kill during that validation loses it.
 */
export type RunEvent =
  | { type: 'start'; placement: ExecutionPlacement; span?: ExecuteSpanOpening }
  | { type: 'progress'; percent: number };

/**
 * How a thread or child answers one attempt. The task's own error comes back as data: thrown across
 * the boundary it would lose its name, and a rejection is kept to mean "the worker died". The finished
 * execute span rides in the reply: a thread's events use another port than its reply, so a separate
 * message could arrive after it. `percent` is a progress report held back (see `heldProgress`).
 */
export type RunReply = (
  | {
      ok: true;
      result: unknown;
      placement: ExecutionPlacement;
      startedAt: number;
      finishedAt: number;
      cpuMs?: number;
    }
  | {
      ok: false;
      error: SerializedError;
      /** Where the handler ran, when it started before failing: the start event may arrive after this reply. */
      placement?: ExecutionPlacement;
    }
) & { span?: ExecuteSpanRecord; percent?: number };

/** Where a remote run's signal comes from: nowhere. Cancel and timeout end the whole thread or child. */
const neverAborted = new AbortController().signal;

/**
 * Progress reports of a run's first interval wait, and go with the next message (a later report, or the
 * reply) or, for a handler that yields, when the interval is over: a run that ends within its first
 * interval sends no progress message of its own, and its last report still reaches the executor's caller.
 */
function heldProgress(intervalMs: number, post: (event: RunEvent) => void) {
  let since = 0;
  let held: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    timer = undefined;
    if (held !== undefined) post({ type: 'progress', percent: held });
    held = undefined;
  };
  return {
    started: () => (since = performance.now()),
    report(percent: number): void {
      held = percent;
      const dueInMs = since + intervalMs - performance.now();
      if (dueInMs <= 0) {
        clearTimeout(timer);
        flush();
      } else timer ??= setTimeout(flush, dueInMs);
    },
    /** The run ended: what is still held goes with its reply. */
    take(): number | undefined {
      clearTimeout(timer);
      const percent = held;
      held = undefined;
      return percent;
    },
  };
}

/** Runs one attempt inside a pool thread or child, posting start and progress events as it goes. */
export async function runRemoteTask(
  runner: TaskRunner,
  attempt: AttemptContext,
  post: (event: RunEvent) => void,
): Promise<RunReply> {
  let placement: ExecutionPlacement | undefined;
  let startedAt = Date.now();
  let opened: ExecuteSpanOpening | undefined;
  let span: ExecuteSpanRecord | undefined;
  const progress = heldProgress(runner.progressIntervalMs, post);
  try {
    const { result, cpuMs } = await runTask(runner, attempt, {
      signal: neverAborted,
      onSpanStart: ({ spanId, startTime }) => (opened = { spanId, startTime }),
      onStart: (where, at) => {
        placement = where;
        startedAt = at;
        progress.started();
        post(
          opened ? { type: 'start', placement: where, span: opened } : { type: 'start', placement: where },
        );
      },
      onProgress: (percent) => progress.report(percent),
      onSpanEnd: (record) => (span = record),
    });
    return {
      ok: true,
      result,
      placement: placement ?? { pid: process.pid, threadId: 0 },
      startedAt,
      finishedAt: Date.now(),
      cpuMs,
      span,
      percent: progress.take(),
    };
  } catch (error) {
    return { ok: false, error: serializeError(error), placement, span, percent: progress.take() };
  }
}
