import path from 'node:path';
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { WorkerCrashedError, type ExecutionModel, type ExecutionPlacement } from '@switchyard/contracts';
import type { ExecutionOutcome, ExecutionRequest, Executor, PoolStats } from './executor';
import type { ResolvedExecutorOptions } from './executor-options';
import { ExecuteSpanRelay } from './execute-span-relay';
import { ExecutorClosedError } from './execution-errors';
import type { RunEvent, RunReply } from './remote-run';
import { RunAbortScope } from './run-abort-scope';
import { RunTally } from './run-tally';
import { invocationOf } from './run-task';
import type { ThreadTask, ThreadWorkerData } from './thread-task.worker';

/** Compiled next to this file, wherever the build puts it (dist/ or any outDir). */
const THREAD_ENTRY = path.join(__dirname, 'thread-task.worker.js');

/**
 * Runs tasks on a fixed piscina pool of `poolSize` threads; each thread owns a V8 isolate, so CPU work
 * really runs in parallel. Piscina has no timeout of its own: cancel and timeout abort the piscina task,
 * and piscina terminates the thread running it and starts a replacement. A thread that dies
 * (`process.exit`, its heap limit) fails its run with WorkerCrashedError and is replaced the same way.
 */
export class ThreadPoolExecutor implements Executor {
  readonly model: ExecutionModel = 'worker-threads';
  readonly size: number;
  readonly #pool: Piscina<ThreadTask, RunReply>;
  readonly #tally = new RunTally();
  #closing?: Promise<void>;

  constructor(options: ResolvedExecutorOptions) {
    this.size = options.poolSize;
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
  }

  async run(request: ExecutionRequest): Promise<ExecutionOutcome> {
    if (this.#closing) throw new ExecutorClosedError(this.model);
    return this.#tally.track(() => this.#runOnPool(request));
  }

  async #runOnPool(request: ExecutionRequest): Promise<ExecutionOutcome> {
    const scope = new RunAbortScope(request);
    const { port1: events, port2: eventsForThread } = new MessageChannel();
    let placement: ExecutionPlacement | undefined;
    const started = (where: ExecutionPlacement) => {
      if (placement) return;
      placement = where;
      request.onStart?.(where);
    };
    const span = new ExecuteSpanRelay();
    const onEvent = (event: RunEvent) => {
      if (event.type === 'start') started(event.placement);
      else if (event.type === 'span-start') span.started(event.start);
      else request.onProgress?.(event.percent);
    };
    events.on('message', onEvent);
    let reply: RunReply;
    try {
      reply = await this.#pool.run(
        { invocation: invocationOf(request, this.model), events: eventsForThread },
        { transferList: [eventsForThread], signal: scope.signal },
      );
    } catch (error) {
      // A terminated thread's last events may still wait in the port: its span-start among them.
      for (let queued = receiveMessageOnPort(events); queued; queued = receiveMessageOnPort(events)) {
        onEvent(queued.message as RunEvent);
      }
      const failure = this.#failureOf(error, request.jobId, placement, scope);
      span.abandoned(failure);
      throw failure;
    } finally {
      scope.dispose();
      events.close();
    }
    return span.settle(reply, started);
  }

  /** Why a piscina run rejected: the task's own errors come back as replies, so the thread ended. */
  #failureOf(
    error: unknown,
    jobId: string,
    placement: ExecutionPlacement | undefined,
    scope: RunAbortScope,
  ): unknown {
    if (scope.signal.aborted) return scope.signal.reason;
    if (this.#closing) return new ExecutorClosedError(this.model);
    // piscina: "worker exited with code: 1", or an error thrown outside the task.
    const where = placement ? `thread ${placement.threadId}` : 'its thread';
    const detail = error instanceof Error ? error.message : String(error);
    return new WorkerCrashedError(`${where} ended while running job ${jobId} (${detail}); it was replaced`);
  }

  stats(): PoolStats {
    const queued = this.#pool.queueSize;
    return {
      model: this.model,
      size: this.size,
      busy: Math.max(0, this.#tally.inFlight - queued),
      queued,
      workers: this.#pool.threads.map((thread) => ({ pid: process.pid, threadId: thread.threadId })),
      completed: this.#tally.completed,
      failed: this.#tally.failed,
    };
  }

  /** Terminates every thread at once; runs in progress reject with ExecutorClosedError. */
  close(): Promise<void> {
    this.#closing ??= this.#pool.destroy();
    return this.#closing;
  }
}
