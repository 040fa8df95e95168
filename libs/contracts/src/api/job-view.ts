import type { ExecutionRecord } from '../execution-record';
import type { RoutingDecision } from '../job-data';
import type { JobState } from './job-request.schema';

/** What `GET /v1/jobs/:id` returns. */
export interface JobView {
  id: string;
  task: string;
  /** The tenant the job belongs to. */
  tenant: string;
  /** The payload as submitted, with secrets (credentials, tokens) shown as "[redacted]". */
  payload?: unknown;
  profile: string;
  lane: string;
  routing: RoutingDecision;
  state: JobState;
  /** 0–100. */
  progress: number;
  result?: unknown;
  error?: { name: string; message: string; attemptsMade: number };
  attempts: { made: number; max: number };
  timeoutMs: number;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  /** Time from when the job could first run (created + delay) to when its last attempt started. */
  queueWaitMs?: number;
  /** How long the last attempt ran. */
  runMs?: number;
  execution?: ExecutionRecord;
  traceId?: string;
  /** Whether the job's trace was sampled (recorded and exported); `links.trace` only then. */
  sampled: boolean;
  links: { self: string; trace?: string };
}

/** What `POST /v1/jobs` returns. */
export interface JobAccepted {
  id: string;
  task: string;
  profile: string;
  lane: string;
  state: JobState;
  traceId?: string;
  links: { self: string; trace?: string };
}

/** One lane's counts in `GET /v1/queues`. */
export interface LaneStats {
  lane: string;
  waiting: number;
  active: number;
  delayed: number;
  completed: number;
  /** Failed for good (retries used up); cancelled jobs are counted apart. */
  failed: number;
  /** Cancelled while they ran (a job cancelled before it started left the lane). */
  cancelled: number;
  workers: number;
}
