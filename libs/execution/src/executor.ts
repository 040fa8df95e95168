import type { ExecutionModel, ExecutionPlacement, Profile } from '@switchyard/contracts';

/** One job attempt handed to an executor. */
export interface ExecutionRequest {
  jobId: string;
  /** A task name from the catalog. */
  task: string;
  /** Validated again against the task's schema where it runs. */
  payload: unknown;
  /** The whole run, including any wait for a free thread or child; past it the run rejects with JobTimeoutError. */
  timeoutMs: number;
  /** Cancellation from outside; its reason (normally JobCancelledError) is what the run rejects with. */
  signal?: AbortSignal;
  /**
   * W3C trace context to parent the `execute <task>` span on (the consumer span of this attempt),
   * carried to the thread or process that runs it. Without it no execute span is recorded.
   */
  traceparent?: string;
  tracestate?: string;
  /** The lane the job came from, for the execute span. */
  lane?: string;
  /** 1 for the first attempt, for the execute span. */
  attempt?: number;
  /** The job's profile, for the execute span. */
  profile?: Profile;
  /** Time the job waited in its lane before this attempt, for the execute span. */
  queueWaitMs?: number;
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
}

export interface PoolStats {
  model: ExecutionModel;
  size: number;
  /** Runs in progress. */
  busy: number;
  /** Runs waiting for a free thread or child. */
  queued: number;
  /** Live threads or children (the consumer's own thread for event-loop and inline). */
  workers: ExecutionPlacement[];
  /** Runs that returned a result. */
  completed: number;
  /** Runs that rejected, for any reason (error, crash, cancel, timeout). */
  failed: number;
}

/**
 * Runs tasks in one execution model. The consumer calls this interface whatever the model.
 * `run` never throws synchronously: it rejects with JobCancelledError, JobTimeoutError,
 * WorkerCrashedError, ExecutorClosedError, or the task's own error (same name and message).
 */
export interface Executor {
  readonly model: ExecutionModel;
  readonly size: number;
  run(request: ExecutionRequest): Promise<ExecutionOutcome>;
  stats(): PoolStats;
  /**
   * Refuses new runs with ExecutorClosedError. Pools also stop every thread or child at once (runs still in
   * progress reject with ExecutorClosedError: drain the queue worker first); event-loop and inline runs
   * share the caller's thread and simply finish. Safe to call twice.
   */
  close(): Promise<void>;
}
