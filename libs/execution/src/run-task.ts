import { threadId } from 'node:worker_threads';
import type { ExecutionPlacement, TaskContext } from '@switchyard/contracts';
import type { TaskCatalog } from '@switchyard/tasks';
import { throttleProgress } from './progress-reporter';

/** What crosses into a thread or child to run one task: plain data only. */
export interface TaskInvocation {
  jobId: string;
  task: string;
  payload: unknown;
  /** W3C trace context; the `execute <task>` span will be started from it here. */
  traceparent?: string;
  tracestate?: string;
}

export interface TaskRunHooks {
  /** Handed to the handler as ctx.signal. */
  signal: AbortSignal;
  /** Called right before the handler, with this thread's placement and the start time. */
  onStart?(placement: ExecutionPlacement, startedAt: number): void;
  onProgress?(percent: number): void;
  /** Least time between two progress reports, in ms. */
  progressIntervalMs: number;
}

/**
 * The one place every execution model runs a task: on the event loop, in a pool thread and in a child
 * process. Looks the task up, validates the payload, builds ctx and calls the handler.
 */
export async function runTask(
  catalog: TaskCatalog,
  invocation: TaskInvocation,
  hooks: TaskRunHooks,
): Promise<unknown> {
  const definition = catalog.get(invocation.task);
  const payload = catalog.parsePayload(invocation.task, invocation.payload);
  hooks.signal.throwIfAborted();
  hooks.onStart?.({ pid: process.pid, threadId }, Date.now());
  const ctx: TaskContext = {
    signal: hooks.signal,
    progress: throttleProgress(hooks.onProgress, hooks.progressIntervalMs),
  };
  return definition.handler(payload, ctx);
}
