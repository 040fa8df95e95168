import path from 'node:path';
import { Piscina } from 'piscina';
import { WorkerCrashedError, type AttemptContext, type ExecutionPlacement } from '@switchyard/contracts';
import type { ResolvedExecutorOptions } from './executor-options';
import type { PoolEngine } from './pool-engine';
import type { RunEvent, RunReply } from './remote-run';
import type { ThreadEvent, ThreadTask, ThreadWorkerData } from './thread-task.worker';

/** Compiled next to this file, wherever the build puts it (dist/ or any outDir). */
const THREAD_ENTRY = path.join(__dirname, 'thread-task.worker.js');
/**
 * Failed runs whose late events are still routed (see `#late`). A failure is followed by its thread's
 * last messages within milliseconds; this only bounds the memory if some never come.
 */
const LATE_RUNS_KEPT = 256;

type EventListener = (event: RunEvent) => void;

/**
 * A fixed piscina pool of threads, one task at a time each; each thread owns a V8 isolate, so CPU work
 * really runs in parallel. Piscina has no timeout of its own: an aborted run's piscina task is aborted,
 * and piscina terminates the thread running it and starts a replacement. A thread that dies
 * (`process.exit`, its heap limit) fails its run with WorkerCrashedError and is replaced the same way.
 *
 * A run's events come over the thread's own `parentPort`, which piscina re-emits as `message`, keyed by
 * run id: one channel per thread for its whole life, rather than a MessageChannel made, transferred and
 * closed for every run (that cost ~15 µs of CPU per run, measured against ~4 µs this way).
 */
export class ThreadPool implements PoolEngine {
  readonly #pool: Piscina<ThreadTask, RunReply>;
  readonly #listeners = new Map<number, EventListener>();
  /**
   * Piscina rejects an aborted run at once, while the terminated thread's last messages (the span it
   * opened) may still be on their way: those of failed runs are still routed a while.
   */
  readonly #late = new Map<number, EventListener>();
  #nextRunId = 0;
  #inFlight = 0;

  constructor(options: ResolvedExecutorOptions) {
    const workerData: ThreadWorkerData = {
      catalog: options.catalog,
      progressIntervalMs: options.progressIntervalMs,
    };
    this.#pool = new Piscina<ThreadTask, RunReply>({
      filename: THREAD_ENTRY,
      name: 'runThreadTask',
      minThreads: options.poolSize,
      maxThreads: options.poolSize,
      concurrentTasksPerWorker: 1,
      // Handlers are async: let a thread's event loop run between tasks instead of parking it in Atomics.wait.
      atomics: 'disabled',
      workerData,
      // A thread reaching its heap limit is terminated (ERR_WORKER_OUT_OF_MEMORY), not the process.
      resourceLimits: options.workerMaxHeapMb
        ? { maxOldGenerationSizeMb: options.workerMaxHeapMb }
        : undefined,
    });
    // Without a listener, a thread failing outside any task would be an uncaught 'error' event.
    this.#pool.on('error', (error: Error) => options.onWorkerError(error));
    this.#pool.on('message', (message: ThreadEvent) =>
      (this.#listeners.get(message.runId) ?? this.#late.get(message.runId))?.(message.event),
    );
  }

  get busy(): number {
    return Math.max(0, this.#inFlight - this.#pool.queueSize);
  }

  get queued(): number {
    return this.#pool.queueSize;
  }

  get workers(): ExecutionPlacement[] {
    return this.#pool.threads.map((thread) => ({ pid: process.pid, threadId: thread.threadId }));
  }

  async run(attempt: AttemptContext, signal: AbortSignal, onEvent: EventListener): Promise<RunReply> {
    const runId = this.#nextRunId++;
    let placement: ExecutionPlacement | undefined;
    this.#listeners.set(runId, (event) => {
      if (event.type === 'start') placement = event.placement;
      onEvent(event);
    });
    this.#inFlight++;
    try {
      return await this.#pool.run({ runId, attempt }, { signal });
    } catch (error) {
      // The terminated or crashed thread's last messages (the span it opened) may still be on their way.
      this.#keepLate(runId);
      if (signal.aborted) throw error;
      // piscina: "worker exited with code: 1", or an error thrown outside the task.
      const where = placement ? `thread ${placement.threadId}` : 'its thread';
      const detail = error instanceof Error ? error.message : String(error);
      throw new WorkerCrashedError(
        `${where} ended while running job ${attempt.jobId} (${detail}); it was replaced`,
      );
    } finally {
      // A completed run's late events say nothing its reply did not: the executor has settled it.
      this.#inFlight--;
      this.#listeners.delete(runId);
    }
  }

  close(): Promise<void> {
    return this.#pool.destroy();
  }

  #keepLate(runId: number): void {
    const listener = this.#listeners.get(runId);
    if (!listener) return;
    this.#late.set(runId, listener);
    if (this.#late.size > LATE_RUNS_KEPT) this.#late.delete(this.#late.keys().next().value as number);
  }
}
