import type { AttemptContext, ExecutionPlacement } from '@switchyard/contracts';
import type { RunEvent, RunReply } from './remote-run';

/**
 * What a PoolExecutor runs attempts on: a pool of worker threads (piscina) or of child processes. An
 * engine knows workers, queues and deaths; the executor adds timeouts, tallies and the execute span.
 */
export interface PoolEngine {
  /**
   * Runs one attempt on the next free worker, first come first served. `onEvent` hears the worker's
   * events; a thread stopped on abort may deliver its last ones after the run rejected. Aborting `signal`
   * stops the worker running the attempt (a thread is terminated, a child SIGKILLed) and replaces it.
   * Rejects with WorkerCrashedError when the worker dies of itself; after an abort or `close`, with
   * whatever the engine has (the executor names those endings).
   */
  run(attempt: AttemptContext, signal: AbortSignal, onEvent: (event: RunEvent) => void): Promise<RunReply>;
  /** Runs on a worker now. */
  readonly busy: number;
  /** Runs waiting for a free worker. */
  readonly queued: number;
  /** The live workers. */
  readonly workers: ExecutionPlacement[];
  /** Stops every worker at once; runs in progress and queued reject. */
  close(): Promise<void>;
}
