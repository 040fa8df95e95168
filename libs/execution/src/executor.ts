import type { AttemptContext, ExecutionModel, ExecutionPlacement, PoolStats } from '@switchyard/contracts';

/** What the caller of `run` hears back while a run goes on, and how it stops one. None of it crosses the hop. */
export interface RunHooks {
  /** Cancellation from outside; its reason (normally JobCancelledError) is what the run rejects with. */
  signal?: AbortSignal;
  /**
   * The controller behind `signal`, when the caller made it for this run alone: an event-loop or
   * inline run then uses it as its own (aborting it on a timeout too) instead of making a second
   * one linked to `signal`. Abort it with an Error. Pools use `signal` only. @defaultValue none
   */
  controller?: AbortController;
  /** Called once, when the handler starts, with where it runs. */
  onStart?(placement: ExecutionPlacement): void;
  /** Called with 0–100, throttled. */
  onProgress?(percent: number): void;
}

export interface ExecutionOutcome {
  result: unknown;
  placement: ExecutionPlacement;
  /** Epoch milliseconds when the handler started and when it returned. */
  startedAt: number;
  finishedAt: number;
  /**
   * CPU time the handler used, in ms: the thread's own (worker threads), the child's (processes), or the
   * event loop's CPU shared among the runs in flight (event-loop, inline). See cpu-meter.ts.
   */
  cpuMs?: number;
}

/** What a lane worker must know of an executor to drive it, so that it never asks for a model by name. */
export interface ExecutorTraits {
  /**
   * Handlers run on the caller's own event loop and may hold it for a whole job (inline): while one runs,
   * no cancel message is heard and no job lock is renewed, so the lane needs a lock longer than its
   * longest job and a look for a cancel once the handler returns.
   */
  readonly blocksEventLoop: boolean;
  /**
   * Where a job runs is news when it starts (a pool's thread or child, or a blocking run that hides the
   * consumer): worth a write to the job then. On the event loop it is the consumer itself, recorded
   * when the job ends; a write per job there would cost the io lane its throughput.
   */
  readonly reportsPlacementAtStart: boolean;
  /** Jobs to hand it at once: one per thread or child for pools, `eventLoopConcurrency` on the event loop. */
  readonly concurrency: number;
}

/**
 * Runs tasks in one execution model. The consumer calls this interface whatever the model.
 * `run` never throws synchronously: it rejects with JobCancelledError, JobTimeoutError,
 * WorkerCrashedError, ExecutorClosedError, or the task's own error (same name and message).
 */
export interface Executor {
  readonly model: ExecutionModel;
  /** Threads or child processes for pools; the `poolSize` option, as reported, for event-loop and inline. */
  readonly size: number;
  readonly traits: ExecutorTraits;
  /** Runs one attempt; `attempt` is sent to the thread or child as it is. */
  run(attempt: AttemptContext, hooks?: RunHooks): Promise<ExecutionOutcome>;
  stats(): PoolStats;
  /**
   * Refuses new runs with ExecutorClosedError. Pools also stop every thread or child at once (runs still in
   * progress reject with ExecutorClosedError: drain the queue worker first); event-loop and inline runs
   * share the caller's thread and simply finish. Safe to call twice.
   */
  close(): Promise<void>;
}
