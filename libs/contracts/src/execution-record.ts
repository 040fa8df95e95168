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
}

/** Where a running task landed, reported by an executor as soon as it starts. */
export interface ExecutionPlacement {
  pid: number;
  threadId: number;
}
