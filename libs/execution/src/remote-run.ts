import type { AttemptContext, ExecutionPlacement } from '@switchyard/contracts';
import type { ExecuteSpanRecord, ExecuteSpanStart } from '@switchyard/telemetry/worker';
import { serializeError, type SerializedError } from './execution-errors';
import { runTask, type TaskRunner } from './run-task';

/**
 * Sent by a thread or child while a task runs. `span-start` is sent as soon as the execute span
 * opens, so the parent can still close that span if the thread or child is killed.
 */
export type RunEvent =
  | { type: 'start'; placement: ExecutionPlacement }
  | { type: 'progress'; percent: number }
  | { type: 'span-start'; start: ExecuteSpanStart };

/**
 * How a thread or child answers one attempt. The task's own error comes back as data: thrown across
 * the boundary it would lose its name, and a rejection is kept to mean "the worker died". The finished
 * execute span rides in the reply: a thread's events use another port than its reply, so a separate
 * message could arrive after it.
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
) & { span?: ExecuteSpanRecord };

/** Where a remote run's signal comes from: nowhere. Cancel and timeout end the whole thread or child. */
const neverAborted = new AbortController().signal;

/** Runs one attempt inside a pool thread or child, posting start, span and progress events as it goes. */
export async function runRemoteTask(
  runner: TaskRunner,
  attempt: AttemptContext,
  post: (event: RunEvent) => void,
): Promise<RunReply> {
  let placement: ExecutionPlacement | undefined;
  let startedAt = Date.now();
  let span: ExecuteSpanRecord | undefined;
  try {
    const { result, cpuMs } = await runTask(runner, attempt, {
      signal: neverAborted,
      onStart: (where, at) => {
        placement = where;
        startedAt = at;
        post({ type: 'start', placement: where });
      },
      onProgress: (percent) => post({ type: 'progress', percent }),
      onSpanStart: (start) => post({ type: 'span-start', start }),
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
    };
  } catch (error) {
    return { ok: false, error: serializeError(error), placement, span };
  }
}
