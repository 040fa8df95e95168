import { z } from 'zod';
import { named } from './api-schema-registry';
import { JOB_STATES } from './job-request.schema';

/** Longest `waitMs` a `GET /v1/jobs/:id` may ask for: a read held longer than a proxy's idle timeout breaks. */
export const JOB_WAIT_MAX_MS = 30_000;

const WAIT_MS_RANGE = `must be an integer from 0 to ${JOB_WAIT_MAX_MS} (milliseconds)`;

/** `GET /v1/jobs/:id` query. Other parameters are ignored, as they always were. */
export const jobViewQuerySchema = z.object({
  waitMs: z.coerce
    .number({ error: WAIT_MS_RANGE })
    .int({ error: WAIT_MS_RANGE })
    .min(0, { error: WAIT_MS_RANGE })
    .max(JOB_WAIT_MAX_MS, { error: WAIT_MS_RANGE })
    .optional()
    .describe(
      'Answer as soon as the job completes, fails or is cancelled, or after this many milliseconds with its state then',
    ),
});

export type JobViewQuery = z.infer<typeof jobViewQuerySchema>;

const linksSchema = z.strictObject({
  self: z.string().describe('The job that runs: /v1/jobs/<id>'),
  trace: z.string().optional().describe("The job's trace in the Jaeger UI, when one is configured"),
});

/** `POST /v1/jobs/:id/retry` answer (202). */
export const jobRetriedSchema = named(
  'JobRetried',
  z.strictObject({
    id: z
      .uuid()
      .describe('The job that runs again: the same id for a failed job, a new job for a cancelled one'),
    retryOf: z.uuid().describe('The job the retry was asked for'),
    task: z.string(),
    profile: z.string(),
    lane: z.string(),
    state: z.enum(JOB_STATES),
    traceId: z.string().optional(),
    links: linksSchema,
  }),
);

export type JobRetried = z.infer<typeof jobRetriedSchema>;

/** `POST /v1/queues/:lane/pause` and `/resume` answer (200). */
export const lanePauseStateSchema = named(
  'LanePauseState',
  z.strictObject({
    lane: z.string(),
    paused: z.boolean().describe("True: the lane's consumers take no new jobs; submissions still queue up"),
  }),
);

export type LanePauseStateResponse = z.infer<typeof lanePauseStateSchema>;
