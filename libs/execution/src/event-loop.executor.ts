import { threadId } from 'node:worker_threads';
import type { ExecutionModel } from '@switchyard/contracts';
import { createTaskCatalog, type TaskCatalog } from '@switchyard/tasks';
import type { ExecutionOutcome, ExecutionRequest, Executor, PoolStats } from './executor';
import type { ResolvedExecutorOptions } from './executor-options';
import { ExecutorClosedError } from './execution-errors';
import { runInProcess, type AbortBehaviour } from './in-process-run';
import { RunTally } from './run-tally';

/**
 * Runs handlers on this thread's event loop, many interleaved (the asyncio analogue), for io lanes.
 * Cancel and timeout abort ctx.signal and reject at once, even if a handler ignores the signal. A handler
 * that blocks the loop past its deadline (CPU work moved onto the io lane) holds the timer back, so it is
 * judged when it returns: the run fails with JobTimeoutError and its result is dropped.
 *
 * What this thread cannot contain, and what then happens: a handler that never returns wedges the
 * consumer until its liveness probe restarts it; `process.exit` or an exhausted heap ends it. Either
 * way the job's lock expires and another consumer's stalled-job check puts it back once (BullMQ's
 * maxStalledCount 1); if it ends that consumer too, it fails as "job stalled more than allowable limit".
 * Such tasks belong on worker-threads or processes: `diag.crash` refuses `exit`, `heap` and `hang` here.
 */
export class EventLoopExecutor implements Executor {
  readonly model: ExecutionModel = 'event-loop';
  readonly size: number;
  protected readonly abortBehaviour: AbortBehaviour = 'reject-at-once';
  readonly #catalog: TaskCatalog;
  readonly #progressIntervalMs: number;
  readonly #tally = new RunTally();
  #closed = false;

  constructor(options: ResolvedExecutorOptions) {
    this.size = options.poolSize;
    this.#catalog = createTaskCatalog({ ...options.catalog, allowProcessExit: false });
    this.#progressIntervalMs = options.progressIntervalMs;
  }

  async run(request: ExecutionRequest): Promise<ExecutionOutcome> {
    if (this.#closed) throw new ExecutorClosedError(this.model);
    return this.#tally.track(() =>
      runInProcess(this.#catalog, request, this.model, this.#progressIntervalMs, this.abortBehaviour),
    );
  }

  stats(): PoolStats {
    return {
      model: this.model,
      size: this.size,
      busy: this.#tally.inFlight,
      queued: 0,
      workers: [{ pid: process.pid, threadId }],
      completed: this.#tally.completed,
      failed: this.#tally.failed,
    };
  }

  /** Refuses new runs; runs in progress finish (they share this thread and cannot be stopped from outside). */
  async close(): Promise<void> {
    this.#closed = true;
  }
}
