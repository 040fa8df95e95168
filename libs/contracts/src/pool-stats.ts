import type { ExecutionPlacement } from './execution-record';
import type { ExecutionModel } from './execution-model';

/** An executor's state, as `/stats` shows it and the pool gauges report it. */
export interface PoolStats {
  model: ExecutionModel;
  /** Threads or child processes in the pool (`POOL_SIZE`); event-loop and inline report the option too. */
  size: number;
  /** Runs in progress. */
  busy: number;
  /** Runs waiting for a free thread or child. */
  queued: number;
  /** Live threads or children (the consumer's own thread for event-loop and inline). */
  workers: ExecutionPlacement[];
  /** Runs that returned a result since the executor started. */
  completed: number;
  /** Runs that rejected, for any reason (error, crash, cancel, timeout). */
  failed: number;
}
