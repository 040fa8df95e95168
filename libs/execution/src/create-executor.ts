import type { ExecutionModel } from '@switchyard/contracts';
import { EXECUTION_MODELS } from '@switchyard/contracts';
import { catalogOptionsFromEnv } from '@switchyard/tasks';
import { EventLoopExecutor } from './event-loop.executor';
import type { Executor } from './executor';
import type { ExecutorOptions, ResolvedExecutorOptions } from './executor-options';
import { InlineExecutor } from './inline.executor';
import { ProcessPoolExecutor } from './process-pool.executor';
import { ThreadPoolExecutor } from './thread-pool.executor';

const DEFAULT_PROGRESS_INTERVAL_MS = 250;

function resolveOptions(options: ExecutorOptions): ResolvedExecutorOptions {
  if (!Number.isInteger(options.poolSize) || options.poolSize < 1) {
    throw new RangeError(`options.poolSize must be a positive integer, got ${options.poolSize}`);
  }
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
    poolSize: options.poolSize,
    workerMaxHeapMb,
    catalog: options.catalog ?? catalogOptionsFromEnv(),
    progressIntervalMs,
    onWorkerError: options.onWorkerError ?? ((error) => process.emitWarning(error)),
  };
}

/**
 * The executor for an execution model. Pools (worker-threads, processes) start their threads or
 * children at once; call `close()` to stop them.
 * @throws RangeError naming a bad option, or an unknown model.
 */
export function createExecutor(model: ExecutionModel, options: ExecutorOptions): Executor {
  const resolved = resolveOptions(options);
  switch (model) {
    case 'event-loop':
      return new EventLoopExecutor(resolved);
    case 'inline':
      return new InlineExecutor(resolved);
    case 'worker-threads':
      return new ThreadPoolExecutor(resolved);
    case 'processes':
      return new ProcessPoolExecutor(resolved);
    default:
      throw new RangeError(
        `unknown execution model "${String(model)}"; known: ${EXECUTION_MODELS.join(', ')}`,
      );
  }
}
