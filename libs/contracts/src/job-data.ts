import type { TraceContext } from './attempt-context';
import type { Profile } from './profile';
import type { ExecutionRecord } from './execution-record';

/** Why a job went to its lane. */
export type RoutingReason = 'task-default' | 'profile-override' | 'lane-explicit' | 'measured';

export interface RoutingDecision {
  profile: Profile;
  lane: string;
  reason: RoutingReason;
  /**
   * The task's measured CPU/wall ratio (decaying average of cpuMs/runMs, 0–1) the api routed by, on jobs
   * routed as `auto`: present with reason `measured`, absent while the task has too few samples.
   */
  cpuRatio?: number;
}

/**
 * What Switchyard stores as a BullMQ job's data. Wire format: extend, never rename. Its trace context is
 * the request's that submitted the job.
 */
export interface JobData extends TraceContext {
  task: string;
  /** The tenant whose key submitted the job; absent on jobs stored before tenants existed ("anonymous"). */
  tenant?: string;
  payload: unknown;
  routing: RoutingDecision;
  /** Effective per-attempt timeout, already capped by the global maximum. */
  timeoutMs: number;
  idempotencyKey?: string;
}

/** What Switchyard stores as a completed job's return value. */
export interface JobResultEnvelope<Result = unknown> {
  result: Result;
  execution: ExecutionRecord;
}

/** What Switchyard stores as a job's progress (BullMQ progress may be an object). */
export interface JobProgress {
  percent: number;
  execution?: ExecutionRecord;
}
