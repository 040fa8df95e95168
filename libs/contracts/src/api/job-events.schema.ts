import { z } from 'zod';
import { JOB_STATES } from './job-request.schema';

/**
 * The `event:` names of `GET /v1/jobs/:id/events` (Server-Sent Events). The first event is `state` (or
 * the job's end when it already ended); the last is `completed`, `failed` or `cancelled`, after which
 * the server closes the stream. Comment lines (`: keep-alive`) come every 15 s while nothing happens.
 */
export const JOB_EVENT_KINDS = ['state', 'progress', 'completed', 'failed', 'cancelled'] as const;

export type JobEventKindName = (typeof JOB_EVENT_KINDS)[number];

/**
 * Each event's `data:`: the job's view at that moment, exactly as `GET /v1/jobs/:id` shows it (payload
 * secrets redacted); the fields a follower needs are listed, the rest of the view passes through.
 */
export const jobEventDataSchema = z
  .object({
    id: z.uuid(),
    task: z.string(),
    state: z.enum(JOB_STATES),
    progress: z.number().min(0).max(100),
    attempts: z.object({ made: z.int().min(0), max: z.int().min(1) }),
    result: z.unknown().optional().describe('On `completed`'),
    error: z
      .object({ name: z.string(), message: z.string(), attemptsMade: z.int().min(0) })
      .optional()
      .describe('On `failed` and `cancelled`'),
  })
  .loose();

export type JobEventData = z.infer<typeof jobEventDataSchema>;
