import type { TaskCatalogOptions } from '@switchyard/tasks';

export interface ExecutorOptions {
  /**
   * Threads (worker-threads) or child processes (processes) in the pool, started up front and replaced
   * when one dies; also the jobs they take at once. Inline takes as many at once (run one after another
   * on the consumer's thread); event-loop only reports it as its size.
   */
  poolSize: number;
  /**
   * Jobs the event-loop executor interleaves on its thread, and so takes at once (IO_CONCURRENCY).
   * Unused by the other models, which take one job per thread or child.
   * @defaultValue poolSize
   */
  eventLoopConcurrency?: number;
  /**
   * Which tasks exist. Threads and children build their own catalog from it.
   * @defaultValue read from HTTP_ALLOWED_HOSTS and DIAGNOSTIC_TASKS (catalogOptionsFromEnv)
   */
  catalog?: TaskCatalogOptions;
  /** Least time between two progress reports of one run, in ms. @defaultValue 250 */
  progressIntervalMs?: number;
  /**
   * Heap limit of each pool thread (piscina `resourceLimits.maxOldGenerationSizeMb`) or child process
   * (`--max-old-space-size`), in MiB. A task that exhausts it ends only its worker: the run fails with
   * WorkerCrashedError and the pool starts a replacement. Size it so that the pool's heaps fit in the
   * container's memory, or the kernel's OOM killer may pick the consumer instead. Unused by event-loop
   * and inline, whose tasks share the consumer's heap (exhausting it ends the consumer).
   * @defaultValue V8's default, the consumer's own limit (which `NODE_OPTIONS=--max-old-space-size` sets)
   */
  workerMaxHeapMb?: number;
  /**
   * Called when a pool worker fails outside any run (e.g. a thread that cannot start).
   * @defaultValue process.emitWarning
   */
  onWorkerError?(error: Error): void;
}

/** What the executors need after defaults are applied. */
export interface ResolvedExecutorOptions {
  poolSize: number;
  eventLoopConcurrency: number;
  catalog: TaskCatalogOptions;
  progressIntervalMs: number;
  workerMaxHeapMb?: number;
  onWorkerError(error: Error): void;
}
