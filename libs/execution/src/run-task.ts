import { threadId } from 'node:worker_threads';
import type { TaskCatalog } from '@switchyard/tasks';
import {
  runInExecuteSpan,
  type ExecuteSpanRecord,
  type ExecuteSpanStart,
} from '@switchyard/telemetry/worker';
import {
  SwitchyardAttributes,
  type AttemptContext,
  type ExecutionModel,
  type ExecutionPlacement,
  type TaskContext,
} from '@switchyard/contracts';
import type { CpuMeter } from './cpu-meter';
import { recordFailedRunCpu } from './execution-errors';
import { throttleProgress } from './progress-reporter';

/** What a thread, a child or an in-process executor runs tasks with: made once, used for every run. */
export interface TaskRunner {
  catalog: TaskCatalog;
  /** The model running them, recorded on every `execute <task>` span. */
  model: ExecutionModel;
  /** Least time between two progress reports of one run, in ms. */
  progressIntervalMs: number;
  /** How a run's CPU time is measured where it runs (see cpu-meter.ts). */
  cpuMeter: CpuMeter;
}

/** What a run returned, and the CPU time its handler took (absent if it failed before the handler). */
export interface TaskRunResult {
  result: unknown;
  cpuMs?: number;
}

export interface TaskRunHooks {
  /** Handed to the handler as ctx.signal; names an error thrown after it fired cancelled or timeout. */
  signal: AbortSignal;
  /** Called right before the handler, with this thread's placement and the start time. */
  onStart?(placement: ExecutionPlacement, startedAt: number): void;
  onProgress?(percent: number): void;
  /** Called once the execute span is open (only with a traceparent): a parent closes it if this run dies. */
  onSpanStart?(start: ExecuteSpanStart): void;
  /** Called with the finished execute span before the run settles, for the parent to export. */
  onSpanEnd?(record: ExecuteSpanRecord): void;
}

/** Where this thread runs, reported at every start: one object per thread (or child), shared by its runs. */
const HERE: ExecutionPlacement = Object.freeze({ pid: process.pid, threadId });

/**
 * The one place every execution model runs a task: on the event loop, in a pool thread and in a child
 * process. Looks the task up, validates the payload, builds ctx and calls the handler, all inside the
 * `execute <task>` span of the thread or process it runs in (when the attempt carries a traceparent).
 * Rejects, never throws.
 */
export function runTask(
  runner: TaskRunner,
  attempt: AttemptContext,
  hooks: TaskRunHooks,
): Promise<TaskRunResult> {
  // Untraced, runInExecuteSpan would only call the handler's run (no span, no cost): called straight away,
  // without the closures and the extra promise a span needs.
  if (!attempt.traceparent) return callHandler(runner, attempt, hooks);
  const measured: MeasuredCpu = {};
  return runInExecuteSpan(attempt, runner.model, () => callHandler(runner, attempt, hooks, measured), {
    signal: hooks.signal,
    onStart: hooks.onSpanStart,
    onEnd: hooks.onSpanEnd,
    endAttributes: (): Record<string, number> =>
      measured.cpuMs === undefined ? {} : { [SwitchyardAttributes.CpuMs]: measured.cpuMs },
  });
}

/** The run's CPU ms, for the span's end attributes (absent if it failed before the handler). */
interface MeasuredCpu {
  cpuMs?: number;
}

async function callHandler(
  runner: TaskRunner,
  attempt: AttemptContext,
  hooks: TaskRunHooks,
  measured?: MeasuredCpu,
): Promise<TaskRunResult> {
  const definition = runner.catalog.get(attempt.task);
  const payload = runner.catalog.parsePayload(attempt.task, attempt.payload);
  hooks.signal.throwIfAborted();
  hooks.onStart?.(HERE, Date.now());
  const ctx: TaskContext = {
    signal: hooks.signal,
    progress: throttleProgress(hooks.onProgress, runner.progressIntervalMs),
  };
  const run = runner.cpuMeter.begin();
  let result: unknown;
  try {
    const pending = definition.handler(payload, ctx);
    run.called();
    result = await pending;
  } catch (error) {
    const cpuMs = roundMs(run.stop());
    if (measured) measured.cpuMs = cpuMs;
    // The task's own error carries what its run used: a failed attempt's record shows it too. Not a
    // run ended from outside (timeout, cancel): the others cannot measure theirs, so none does.
    if (!hooks.signal.aborted) recordFailedRunCpu(error, cpuMs);
    throw error;
  }
  const cpuMs = roundMs(run.stop());
  if (measured) measured.cpuMs = cpuMs;
  return { result, cpuMs };
}

/** CPU clocks count microseconds: a thousandth of a ms is all the precision there is. */
function roundMs(ms: number): number {
  return Math.round(ms * 1_000) / 1_000;
}
