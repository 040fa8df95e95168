import path from 'node:path';
import type { ExecutionModel, ExecutionPlacement } from '@switchyard/contracts';
import type { ChildSettings } from './child-messages';
import { ChildProcessPool } from './child-process-pool';
import type { ExecutionOutcome, ExecutionRequest, Executor, PoolStats } from './executor';
import type { ResolvedExecutorOptions } from './executor-options';
import { ExecuteSpanRelay } from './execute-span-relay';
import { ExecutorClosedError } from './execution-errors';
import type { RunReply } from './remote-run';
import { RunAbortScope } from './run-abort-scope';
import { RunTally } from './run-tally';
import { invocationOf } from './run-task';

/** Compiled next to this file, wherever the build puts it (dist/ or any outDir). */
const CHILD_ENTRY = path.join(__dirname, 'process-task.child.js');

/**
 * Runs tasks in a fixed pool of `poolSize` child processes (the multiprocessing analogue): each job
 * gets a whole process, so a crash, a leak or `process.exit` in a task cannot touch the consumer.
 *
 * Why our own small pool over `child_process.fork` rather than workerpool (`workerType: 'process'`):
 * - Cancellation: workerpool first sends a cleanup message and waits up to `workerTerminateTimeout`
 *   for the child to answer; a child busy in CPU work cannot answer, so every cancel or timeout
 *   waits that long before the kill. Here abort is an immediate SIGKILL, and the run rejects only
 *   once the child has exited, so "cancelled" means the work has really stopped.
 * - Errors: workerpool reports a dead child as a generic "Worker terminated Unexpectedly" string;
 *   here each ending maps to JobCancelledError, JobTimeoutError or WorkerCrashedError (with pid,
 *   exit code or signal) by construction.
 * - Placement and events: the child's pid and start/progress events are first-class messages here;
 *   workerpool keeps its children private.
 * The pool is about 200 lines: fixed size, FIFO queue, replace on exit, stop respawning when a
 * child cannot even start.
 */
export class ProcessPoolExecutor implements Executor {
  readonly model: ExecutionModel = 'processes';
  readonly size: number;
  readonly #pool: ChildProcessPool;
  readonly #tally = new RunTally();
  #closing?: Promise<void>;

  constructor(options: ResolvedExecutorOptions) {
    this.size = options.poolSize;
    const settings: ChildSettings = {
      catalog: options.catalog,
      progressIntervalMs: options.progressIntervalMs,
    };
    this.#pool = new ChildProcessPool({
      size: options.poolSize,
      entry: CHILD_ENTRY,
      args: [JSON.stringify(settings)],
      execArgv: options.workerMaxHeapMb ? [`--max-old-space-size=${options.workerMaxHeapMb}`] : [],
      closedError: () => new ExecutorClosedError(this.model),
    });
  }

  async run(request: ExecutionRequest): Promise<ExecutionOutcome> {
    if (this.#closing) throw new ExecutorClosedError(this.model);
    return this.#tally.track(() => this.#runOnPool(request));
  }

  async #runOnPool(request: ExecutionRequest): Promise<ExecutionOutcome> {
    const scope = new RunAbortScope(request);
    let placement: ExecutionPlacement | undefined;
    const started = (where: ExecutionPlacement) => {
      if (placement) return;
      placement = where;
      request.onStart?.(where);
    };
    const span = new ExecuteSpanRelay();
    let reply: RunReply;
    try {
      reply = await this.#pool.run(invocationOf(request, this.model), {
        signal: scope.signal,
        onStart: started,
        onProgress: (percent) => request.onProgress?.(percent),
        onSpanStart: (start) => span.started(start),
      });
    } catch (error) {
      // The child was killed (cancel, timeout) or died before it could report its span.
      span.abandoned(error);
      throw error;
    } finally {
      scope.dispose();
    }
    return span.settle(reply, started);
  }

  stats(): PoolStats {
    return {
      model: this.model,
      size: this.size,
      busy: this.#pool.busy,
      queued: this.#pool.queued,
      workers: this.#pool.children,
      completed: this.#tally.completed,
      failed: this.#tally.failed,
    };
  }

  /** Kills every child (SIGKILL) and resolves once all have exited; runs in progress reject with ExecutorClosedError. */
  close(): Promise<void> {
    this.#closing ??= this.#pool.close();
    return this.#closing;
  }
}
