import type { ExecutionModel } from '@switchyard/contracts';
import { EXECUTION_MODELS } from '@switchyard/contracts';
import { catalogOptionsFromEnv } from '@switchyard/tasks';
import { ChildProcessPool } from './child-process-pool';
import type { Executor } from './executor';
import type { ExecutorOptions, ResolvedExecutorOptions } from './executor-options';
import { InProcessExecutor } from './in-process.executor';
import { PoolExecutor } from './pool-executor';
import { ThreadPool } from './thread-pool';

const DEFAULT_PROGRESS_INTERVAL_MS = 250;

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`options.${name} must be a positive integer, got ${value}`);
  }
  return value;
}

function resolveOptions(options: ExecutorOptions): ResolvedExecutorOptions {
  const poolSize = positiveInteger('poolSize', options.poolSize);
  const progressIntervalMs = options.progressIntervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS;
  if (!Number.isFinite(progressIntervalMs) || progressIntervalMs < 0) {
    throw new RangeError(
      `options.progressIntervalMs must be a non-negative number, got ${progressIntervalMs}`,
    );
  }
  const { workerMaxHeapMb } = options;
  if (workerMaxHeapMb !== undefined && (!Number.isInteger(workerMaxHeapMb) || workerMaxHeapMb < 16)) {
    throw new RangeError(
      `options.workerMaxHeapMb must be an integer of at least 16 (MiB), got ${workerMaxHeapMb}`,
    );
  }
  return {
    poolSize,
    eventLoopConcurrency: positiveInteger('eventLoopConcurrency', options.eventLoopConcurrency ?? poolSize),
    workerMaxHeapMb,
    catalog: options.catalog ?? catalogOptionsFromEnv(),
    progressIntervalMs,
    onWorkerError: options.onWorkerError ?? ((error) => process.emitWarning(error)),
  };
}

/**
 * The executor for an execution model; the only place that tells the models apart by name. Pools
 * (worker-threads, processes) start their threads or children at once; call `close()` to stop them.
 *
 * - `event-loop`: handlers interleave on this thread (the asyncio analogue), for io lanes. What this
 *   thread cannot contain: a handler that never returns wedges the consumer until its liveness probe
 *   restarts it; `process.exit` or an exhausted heap ends it. Either way the job's lock expires and
 *   another consumer's stalled-job check puts it back once (BullMQ's maxStalledCount 1); if it ends that
 *   consumer too, it fails as "job stalled more than allowable limit". Such tasks belong on
 *   worker-threads or processes: `diag.crash` refuses `exit`, `heap` and `hang` here.
 * - `inline`: CPU handlers on this thread, the anti-pattern kept as the baseline that shows blocking.
 *   While one computes nothing else here runs (no job, timer, cancel message or health check), so a
 *   timeout or cancel is noticed only once it returns, and the work is never cut short. A runaway,
 *   `process.exit` or an exhausted heap takes the consumer with it, as on the event loop; with the
 *   long lock such a lane needs, the job is put back only once that lock expires.
 * - `worker-threads`: a piscina pool (ThreadPool); `processes`: a pool of child processes
 *   (ChildProcessPool), both under one PoolExecutor. Both run each job in a worker that cancel and timeout stop for good.
 * @throws RangeError naming a bad option, or an unknown model.
 */
export function createExecutor(model: ExecutionModel, options: ExecutorOptions): Executor {
  const resolved = resolveOptions(options);
  switch (model) {
    case 'event-loop':
      return new InProcessExecutor(
        model,
        {
          blocksEventLoop: false,
          reportsPlacementAtStart: false,
          concurrency: resolved.eventLoopConcurrency,
        },
        resolved,
      );
    case 'inline':
      return new InProcessExecutor(
        model,
        { blocksEventLoop: true, reportsPlacementAtStart: true, concurrency: resolved.poolSize },
        resolved,
      );
    case 'worker-threads':
      return new PoolExecutor(model, resolved.poolSize, new ThreadPool(resolved));
    case 'processes':
      return new PoolExecutor(model, resolved.poolSize, new ChildProcessPool(resolved));
    default:
      throw new RangeError(
        `unknown execution model "${String(model)}"; known: ${EXECUTION_MODELS.join(', ')}`,
      );
  }
}
