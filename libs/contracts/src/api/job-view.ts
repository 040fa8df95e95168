import { z } from 'zod';
import { EXECUTION_MODELS } from '../execution-model';
import type { ExecutionRecord } from '../execution-record';
import type { RoutingDecision } from '../job-data';
import { PROFILES } from '../profile';
import { named } from './api-schema-registry';
import { JOB_STATES } from './job-request.schema';

const count = z.int().min(0);
const timestamp = z.iso.datetime();

/** Why a job went to its lane (`RoutingDecision`). */
export const routingDecisionSchema = named(
  'RoutingDecision',
  z.strictObject({
    profile: z.enum(PROFILES),
    lane: z.string(),
    reason: z.enum(['task-default', 'profile-override', 'lane-explicit', 'measured']),
    cpuRatio: z
      .number()
      .min(0)
      .max(1)
      .optional()
      .describe(
        "The task's measured CPU/wall ratio (decaying average of cpuMs/runMs) the job was routed by; with reason `measured`",
      ),
  }),
);

/** Where and when one attempt ran (`ExecutionRecord`). */
export const executionRecordSchema = named(
  'ExecutionRecord',
  z.strictObject({
    model: z.enum(EXECUTION_MODELS),
    lane: z.string(),
    host: z.string().describe('Host name (the pod name on Kubernetes)'),
    pid: z.int().describe("The OS process that ran the handler: the consumer's own pid, or a child's"),
    threadId: z.int().min(0).describe("The worker thread that ran the handler; 0 is a process's main thread"),
    startedAt: z.number().describe('Epoch milliseconds'),
    finishedAt: z.number().optional().describe('Epoch milliseconds'),
    runMs: z.number().min(0).optional(),
    cpuMs: z
      .number()
      .min(0)
      .optional()
      .describe(
        "CPU time the handler used, in ms: its worker thread's or child process's own; on the event loop (models event-loop, inline) its synchronous part plus a share of the loop's CPU among the attempts running at the same time. Present on completed attempts and on attempts whose handler threw; absent after a timeout or a cancel",
      ),
  }),
);

const jobLinksSchema = z.strictObject({
  self: z.string().describe('This job in the api'),
  trace: z.string().optional().describe("The job's trace in the Jaeger UI, when JAEGER_UI_URL is set"),
});

/** What `GET /v1/jobs/:id` returns. */
export const jobViewSchema = named(
  'JobView',
  z.strictObject({
    id: z.string(),
    task: z.string(),
    tenant: z.string().describe('The tenant the job belongs to'),
    payload: z
      .unknown()
      .optional()
      .describe('The payload as submitted, with secrets (credentials, tokens) shown as "[redacted]"'),
    profile: z.enum(PROFILES),
    lane: z.string(),
    routing: routingDecisionSchema,
    state: z.enum(JOB_STATES),
    progress: z.number().min(0).max(100),
    result: z.unknown().optional().describe("The task's result, once completed"),
    error: z
      .strictObject({ name: z.string(), message: z.string(), attemptsMade: count })
      .optional()
      .describe('Why the last attempt failed or stopped, once failed or cancelled'),
    attempts: z.strictObject({ made: count, max: z.int().min(1) }),
    timeoutMs: z.int().min(1).describe('Per attempt'),
    createdAt: timestamp,
    startedAt: timestamp.optional(),
    finishedAt: timestamp.optional(),
    queueWaitMs: z
      .number()
      .min(0)
      .optional()
      .describe('Time from when the job could first run (created + delay) to when its last attempt started'),
    runMs: z.number().min(0).optional().describe('How long the last attempt ran'),
    execution: executionRecordSchema.optional(),
    traceId: z.string().optional(),
    sampled: z
      .boolean()
      .describe("Whether the job's trace was sampled (recorded and exported); `links.trace` only then"),
    links: jobLinksSchema,
  }),
);
export type JobView = z.infer<typeof jobViewSchema>;

/** What `POST /v1/jobs` returns (and each item of a batch's answer). */
export const jobAcceptedSchema = named(
  'JobAccepted',
  z.strictObject({
    id: z.string(),
    task: z.string(),
    profile: z.enum(PROFILES),
    lane: z.string(),
    state: z.enum(JOB_STATES),
    traceId: z.string().optional(),
    links: jobLinksSchema,
  }),
);
export type JobAccepted = z.infer<typeof jobAcceptedSchema>;

/** What `POST /v1/jobs/batch` returns: the jobs in the order they were sent. */
export const jobBatchAcceptedSchema = named(
  'JobBatchAccepted',
  z.strictObject({ jobs: z.array(jobAcceptedSchema) }),
);

/** One page of `GET /v1/jobs`. */
export const jobPageSchema = named(
  'JobPage',
  z.strictObject({
    jobs: z.array(jobViewSchema),
    nextCursor: z.string().optional().describe('Pass as `cursor` for the next page; absent on the last page'),
  }),
);

/** One lane's counts in `GET /v1/queues`. */
export const laneStatsSchema = named(
  'LaneStats',
  z.strictObject({
    lane: z.string(),
    waiting: count,
    active: count,
    delayed: count,
    completed: count,
    failed: count.describe('Failed for good (retries used up); cancelled jobs are counted apart'),
    cancelled: count.describe('Cancelled while they ran (a job cancelled before it started left the lane)'),
    workers: count.describe('Consumers connected to the lane'),
    paused: z.boolean().describe('Paused by POST /v1/queues/:lane/pause: its consumers take no new jobs'),
  }),
);
export type LaneStats = z.infer<typeof laneStatsSchema>;

export const laneListSchema = named('LaneList', z.strictObject({ lanes: z.array(laneStatsSchema) }));

/** Both ways assignable: the schema and the interface the libs use describe the same shape. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const shapesAgree: [
  Same<z.infer<typeof routingDecisionSchema>, RoutingDecision>,
  Same<z.infer<typeof executionRecordSchema>, ExecutionRecord>,
] = [true, true];
void shapesAgree;
