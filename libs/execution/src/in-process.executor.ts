import { setImmediate as nextLoopTurn } from 'node:timers/promises';
import { threadId } from 'node:worker_threads';
import type { AttemptContext, ExecutionModel, ExecutionPlacement, PoolStats } from '@switchyard/contracts';
import { createTaskCatalog } from '@switchyard/tasks';
import {
  executeOutcomeOf,
  exportExecuteSpan,
  reviseExecuteSpan,
  type ExecuteSpanRecord,
} from '@switchyard/telemetry';
import type { ExecutionOutcome, Executor, ExecutorTraits, RunHooks } from './executor';
import type { ResolvedExecutorOptions } from './executor-options';
import { ExecutorClosedError } from './execution-errors';
import { RunAbortScope } from './run-abort-scope';
import { loopCpuMeter } from './cpu-meter';
import { runTask, type TaskRunHooks, type TaskRunner, type TaskRunResult } from './run-task';

/**
 * Exports the run's execute span once the run is judged: a handler that completed after its run
 * was cancelled or timed out (a blocking run notices both only after the handler returns; the event
 * loop drops a handler that ignores its signal) must not show as completed.
 */
class InProcessSpan {
  #record?: ExecuteSpanRecord;
  #judged = false;

  constructor(private readonly signal: AbortSignal) {}

  ended(record: ExecuteSpanRecord): void {
    if (this.#judged) this.#export(record);
    else this.#record = record;
  }

  judged(): void {
    this.#judged = true;
    if (this.#record) this.#export(this.#record);
  }

  #export(record: ExecuteSpanRecord): void {
    const reason: unknown = this.signal.aborted ? this.signal.reason : undefined;
    exportExecuteSpan(reason ? reviseExecuteSpan(record, executeOutcomeOf(reason), reason) : record);
  }
}

/** Where this thread runs: a run that failed before its handler started reports it too. */
const HERE: ExecutionPlacement = Object.freeze({ pid: process.pid, threadId });

/**
 * One run on this thread, and the hooks `runTask` calls (`onStart` as a method: one object per run,
 * no closures): its abort scope, where and when its handler started, its span.
 */
class InProcessRun implements TaskRunHooks {
  readonly scope: RunAbortScope;
  readonly signal: AbortSignal;
  readonly onProgress?: (percent: number) => void;
  readonly onSpanEnd?: (record: ExecuteSpanRecord) => void;
  placement = HERE;
  startedAt = Date.now();
  readonly #span?: InProcessSpan;
  readonly #onStart?: (placement: ExecutionPlacement) => void;

  /** @throws RangeError when `attempt.timeoutMs` is not a positive integer */
  constructor(attempt: AttemptContext, hooks: RunHooks) {
    this.scope = new RunAbortScope(attempt, hooks.signal, hooks.controller);
    this.signal = this.scope.signal;
    this.onProgress = hooks.onProgress;
    this.#onStart = hooks.onStart;
    // Without a traceparent no execute span opens (runInExecuteSpan), so there is none to judge.
    if (attempt.traceparent) {
      const span = new InProcessSpan(this.signal);
      this.#span = span;
      this.onSpanEnd = (record) => span.ended(record);
    }
  }

  onStart(placement: ExecutionPlacement, startedAt: number): void {
    this.placement = placement;
    this.startedAt = startedAt;
    this.#onStart?.(placement);
  }

  /** The run is judged: its timer and listener go, and its span is exported. */
  end(): void {
    this.scope.dispose();
    this.#span?.judged();
  }
}

/**
 * Runs handlers on the caller's own thread: the event-loop and inline models (see createExecutor). What
 * sets them apart is `traits.blocksEventLoop`:
 * - no (event-loop): many runs interleave; cancel and timeout abort ctx.signal and reject at once, even if
 *   a handler ignores the signal (it runs on to its end; its late outcome is dropped);
 * - yes (inline): a handler may hold the thread for its whole run, so the signal and the deadline can only
 *   be looked at once it returns: the run then rejects and its result is dropped.
 * Either way a handler that blocks past its deadline is judged when it returns: the deadline is read off
 * the clock, so the run fails with JobTimeoutError.
 */
export class InProcessExecutor implements Executor {
  readonly size: number;
  readonly #runner: TaskRunner;
  #inFlight = 0;
  #completed = 0;
  #failed = 0;
  #closed = false;

  constructor(
    readonly model: ExecutionModel,
    readonly traits: ExecutorTraits,
    options: ResolvedExecutorOptions,
  ) {
    this.size = options.poolSize;
    this.#runner = {
      catalog: createTaskCatalog({ ...options.catalog, allowProcessExit: false }),
      model,
      progressIntervalMs: options.progressIntervalMs,
      cpuMeter: loopCpuMeter,
    };
  }

  /** Rejects, never throws (a bad `timeoutMs` too). */
  run(attempt: AttemptContext, hooks: RunHooks = {}): Promise<ExecutionOutcome> {
    if (this.#closed) return Promise.reject(new ExecutorClosedError(this.model));
    let run: InProcessRun;
    try {
      run = new InProcessRun(attempt, hooks);
    } catch (error) {
      return Promise.reject(error);
    }
    this.#inFlight++;
    const running = runTask(this.#runner, attempt, run);
    if (this.traits.blocksEventLoop) return this.#afterBlockingRun(run, running);
    // A handler that ignores its signal keeps running to its end; its late outcome is dropped.
    return new Promise<ExecutionOutcome>((resolve, reject) =>
      run.scope.settle(
        running,
        (result) => {
          try {
            resolve(this.#judge(run, result, Date.now()));
          } catch (error) {
            reject(error);
          }
        },
        (error) => {
          this.#ended(run, false);
          reject(error);
        },
      ),
    );
  }

  async #afterBlockingRun(run: InProcessRun, running: Promise<TaskRunResult>): Promise<ExecutionOutcome> {
    const { signal } = run.scope;
    let result: TaskRunResult;
    try {
      result = await running.catch((error: unknown) => {
        throw signal.aborted ? signal.reason : error;
      });
    } catch (error) {
      this.#ended(run, false);
      throw error;
    }
    const finishedAt = Date.now();
    // The handler held the thread: let pending I/O (a cancel message) run, then look. Two
    // setImmediate turns take the loop through one poll phase whatever phase this is.
    await nextLoopTurn();
    await nextLoopTurn();
    return this.#judge(run, result, finishedAt);
  }

  /** A run whose handler returned: completed, unless it was aborted or its deadline passed meanwhile. */
  #judge(run: InProcessRun, result: TaskRunResult, finishedAt: number): ExecutionOutcome {
    const { scope } = run;
    if (!scope.signal.aborted && finishedAt >= scope.deadline) scope.timeOut();
    if (scope.signal.aborted) {
      this.#ended(run, false);
      throw scope.signal.reason;
    }
    this.#ended(run, true);
    const { placement, startedAt } = run;
    return { result: result.result, cpuMs: result.cpuMs, placement, startedAt, finishedAt };
  }

  #ended(run: InProcessRun, completed: boolean): void {
    if (completed) this.#completed++;
    else this.#failed++;
    this.#inFlight--;
    run.end();
  }

  stats(): PoolStats {
    return {
      model: this.model,
      size: this.size,
      busy: this.#inFlight,
      queued: 0,
      workers: [{ pid: process.pid, threadId }],
      completed: this.#completed,
      failed: this.#failed,
    };
  }

  /** Refuses new runs; runs in progress finish (they share this thread and cannot be stopped from outside). */
  async close(): Promise<void> {
    this.#closed = true;
  }
}
