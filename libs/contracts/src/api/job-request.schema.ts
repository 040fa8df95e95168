import { z } from 'zod';
import { REQUESTED_PROFILES } from '../profile';

/** BullMQ's largest priority (2^21 − 1). */
export const MAX_PRIORITY = 2_097_151;

/** How failed attempts are spaced out. */
export const backoffSchema = z
  .object({
    type: z.enum(['fixed', 'exponential']),
    /** Base delay between attempts. */
    delayMs: z.int().min(0).max(3_600_000),
  })
  .strict();

/** `POST /v1/jobs` body. The payload is checked against the task's own schema afterwards. */
export const createJobRequestSchema = z
  .object({
    task: z.string().min(1).max(100).describe('A task name from GET /v1/tasks'),
    payload: z.unknown().default({}).describe("The task's payload; see its JSON schema in GET /v1/tasks"),
    profile: z
      .enum(REQUESTED_PROFILES)
      .optional()
      .describe(
        "Overrides the task's default profile (and so its lane). `auto`: routed by the task's measured CPU/wall ratio among the lanes of the profiles it declares (its default profile until enough attempts were measured)",
      ),
    lane: z.string().min(1).max(40).optional().describe('Names the lane outright; must be one of LANES'),
    priority: z
      .int()
      .min(1)
      .max(MAX_PRIORITY)
      .optional()
      .describe(`1 is the highest, ${MAX_PRIORITY} the lowest; jobs without one go first`),
    delayMs: z
      .int()
      .min(0)
      .max(31_536_000_000)
      .optional()
      .describe('Wait this long before the job may run; at most JOB_DELAY_MAX_MS'),
    attempts: z.int().min(1).max(100).optional().describe('Attempts in all, the first included (default 1)'),
    backoff: backoffSchema.optional(),
    timeoutMs: z
      .int()
      .min(1)
      .optional()
      .describe("Per attempt; defaults to the task's, capped by JOB_TIMEOUT_MAX_MS"),
  })
  .strict();

export type CreateJobRequest = z.infer<typeof createJobRequestSchema>;

export const MAX_BATCH_SIZE = 1000;

/** `POST /v1/jobs/batch` body; validation is all-or-nothing. */
export const createJobBatchRequestSchema = z
  .object({
    jobs: z.array(z.unknown()).min(1).max(MAX_BATCH_SIZE).describe(`1 to ${MAX_BATCH_SIZE} job requests`),
  })
  .strict();

export const JOB_STATES = ['waiting', 'delayed', 'active', 'completed', 'failed', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];

/** `GET /v1/jobs` query. */
export const listJobsQuerySchema = z
  .object({
    state: z.enum(JOB_STATES).optional(),
    task: z.string().min(1).max(100).optional(),
    lane: z.string().min(1).max(40).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    cursor: z.string().max(200).optional(),
  })
  .strict();

export type ListJobsQuery = z.infer<typeof listJobsQuerySchema>;
