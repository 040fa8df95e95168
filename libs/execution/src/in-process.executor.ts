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
import { runTask, type TaskRunner, type TaskRunResult } from './run-task';

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

  async run(attempt: AttemptContext, hooks: RunHooks = {}): Promise<ExecutionOutcome> {
    if (this.#closed) throw new ExecutorClosedError(this.model);
    this.#inFlight++;
    const scope = new RunAbortScope(attempt, hooks.signal);
    // Without a traceparent no execute span opens (runInExecuteSpan), so there is none to judge.
    const span = attempt.traceparent ? new InProcessSpan(scope.signal) : undefined;
    let placement: ExecutionPlacement | undefined;
    let startedAt = Date.now();
    try {
      const running = runTask(this.#runner, attempt, {
        signal: scope.signal,
        onStart: (where, at) => {
          placement = where;
          startedAt = at;
          hooks.onStart?.(where);
        },
        onProgress: hooks.onProgress,
        onSpanEnd: span && ((record) => span.ended(record)),
      });
      let run: TaskRunResult;
      let finishedAt: number;
      if (!this.traits.blocksEventLoop) {
        // A handler that ignores its signal keeps running to its end; its late outcome is dropped.
        run = await scope.race(running);
        finishedAt = Date.now();
      } else {
        run = await running.catch((error: unknown) => {
          throw scope.signal.aborted ? scope.signal.reason : error;
        });
        finishedAt = Date.now();
        // The handler held the thread: let pending I/O (a cancel message) run, then look. Two
        // setImmediate turns take the loop through one poll phase whatever phase this is.
        await nextLoopTurn();
        await nextLoopTurn();
      }
      if (!scope.signal.aborted && finishedAt >= scope.deadline) scope.timeOut();
      if (scope.signal.aborted) throw scope.signal.reason;
      this.#completed++;
      const where = placement ?? { pid: process.pid, threadId };
      return { result: run.result, cpuMs: run.cpuMs, placement: where, startedAt, finishedAt };
    } catch (error) {
      this.#failed++;
      throw error;
    } finally {
      this.#inFlight--;
      scope.dispose();
      span?.judged();
    }
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
