import type { Profile } from './profile';

/** W3C trace context, as job data and task messages carry it. Empty when nothing is traced. */
export interface TraceContext {
  traceparent?: string;
  tracestate?: string;
}

/**
 * One attempt of one job: built once by the lane worker from the BullMQ job, it crosses into the thread
 * (structured clone) or child process (IPC) as it is, and names that attempt's `execute <task>` span.
 * Plain data only, so that no hop copies it field by field.
 */
export interface AttemptContext extends TraceContext {
  jobId: string;
  /** A task name from the catalog. */
  task: string;
  /** As submitted; validated against the task's schema where it runs. */
  payload: unknown;
  /** The whole run, including any wait for a free thread or child; past it the run fails with JobTimeoutError. */
  timeoutMs: number;
  /** The lane the job was taken from. */
  lane: string;
  profile: Profile;
  /** 1 for the first attempt. */
  attempt: number;
  /** Time from enqueue (or the end of its delay) to the start of this attempt, in ms. */
  queueWaitMs: number;
  /** The tenant whose key submitted the job. */
  tenant: string;
}
