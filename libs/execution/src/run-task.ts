import { threadId } from 'node:worker_threads';
import type { ExecutionModel, ExecutionPlacement, Profile, TaskContext } from '@switchyard/contracts';
import type { TaskCatalog } from '@switchyard/tasks';
import {
  runInExecuteSpan,
  type ExecuteSpanMeta,
  type ExecuteSpanRecord,
  type ExecuteSpanStart,
} from '@switchyard/telemetry/worker';
import type { ExecutionRequest } from './executor';
import { throttleProgress } from './progress-reporter';

/** What crosses into a thread or child to run one task: plain data only. */
export interface TaskInvocation {
  jobId: string;
  task: string;
  payload: unknown;
  /** The model running it, recorded on the `execute <task>` span like the attempt fields below. */
  model: ExecutionModel;
  lane?: string;
  /** 1 for the first attempt. */
  attempt?: number;
  profile?: Profile;
  queueWaitMs?: number;
  /** W3C trace context of the consumer span; the `execute <task>` span is started from it here. */
  traceparent?: string;
  tracestate?: string;
}

export interface TaskRunHooks {
  /** Handed to the handler as ctx.signal; names an error thrown after it fired cancelled or timeout. */
  signal: AbortSignal;
  /** Called right before the handler, with this thread's placement and the start time. */
  onStart?(placement: ExecutionPlacement, startedAt: number): void;
  onProgress?(percent: number): void;
  /** Least time between two progress reports, in ms. */
  progressIntervalMs: number;
  /** Called once the execute span is open (only with a traceparent): a parent closes it if this run dies. */
  onSpanStart?(start: ExecuteSpanStart): void;
  /** Called with the finished execute span before the run settles, for the parent to export. */
  onSpanEnd?(record: ExecuteSpanRecord): void;
}

/** The invocation an executor sends for a request: the plain-data part of it. */
export function invocationOf(request: ExecutionRequest, model: ExecutionModel): TaskInvocation {
  const { jobId, task, payload, lane, attempt, profile, queueWaitMs, traceparent, tracestate } = request;
  return { jobId, task, payload, model, lane, attempt, profile, queueWaitMs, traceparent, tracestate };
}

function spanMeta(invocation: TaskInvocation): ExecuteSpanMeta {
  const { jobId, task, model, lane, attempt, profile, queueWaitMs, traceparent, tracestate } = invocation;
  return { jobId, task, model, lane, attempt, profile, queueWaitMs, traceparent, tracestate };
}

/**
 * The one place every execution model runs a task: on the event loop, in a pool thread and in a child
 * process. Looks the task up, validates the payload, builds ctx and calls the handler, all inside the
 * `execute <task>` span of the thread or process it runs in (when the invocation carries a traceparent).
 */
export function runTask(
  catalog: TaskCatalog,
  invocation: TaskInvocation,
  hooks: TaskRunHooks,
): Promise<unknown> {
  return runInExecuteSpan(
    spanMeta(invocation),
    async () => {
      const definition = catalog.get(invocation.task);
      const payload = catalog.parsePayload(invocation.task, invocation.payload);
      hooks.signal.throwIfAborted();
      hooks.onStart?.({ pid: process.pid, threadId }, Date.now());
      const ctx: TaskContext = {
        signal: hooks.signal,
        progress: throttleProgress(hooks.onProgress, hooks.progressIntervalMs),
      };
      return definition.handler(payload, ctx);
    },
    { signal: hooks.signal, onStart: hooks.onSpanStart, onEnd: hooks.onSpanEnd },
  );
}
