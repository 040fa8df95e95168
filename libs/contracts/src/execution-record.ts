import type { ExecutionModel } from './execution-model';

/** Where and when one attempt of a job ran. */
export interface ExecutionRecord {
  model: ExecutionModel;
  lane: string;
  /** Host name (the pod name on Kubernetes). */
  host: string;
  /** The OS process that ran the handler: the consumer's own pid, or a child's. */
  pid: number;
  /** The worker thread that ran the handler; 0 is a process's main thread. */
  threadId: number;
  /** Epoch milliseconds. */
  startedAt: number;
  finishedAt?: number;
  runMs?: number;
  /**
   * CPU time the handler used, in ms: its worker thread's own (`process.threadCpuUsage()`), its child
   * process's (`process.cpuUsage()`), or on the event loop (event-loop, inline) the handler's synchronous
   * part plus a share of the loop's CPU among the attempts in flight (an estimate: docs/telemetry.md).
   * Recorded on completed attempts and on attempts whose handler threw; not on a timeout or a cancel.
   */
  cpuMs?: number;
}

/** Where a running task landed, reported by an executor as soon as it starts. */
export interface ExecutionPlacement {
  pid: number;
  threadId: number;
}
