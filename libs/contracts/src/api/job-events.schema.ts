import { z } from 'zod';
import { named } from './api-schema-registry';

/**
 * The `event:` names of `GET /v1/jobs/:id/events` (Server-Sent Events). The first event is `state` (or
 * the job's end when it already ended); the last is `completed`, `failed` or `cancelled`, after which
 * the server closes the stream. Comment lines (`: keep-alive`) come every 15 s while nothing happens.
 */
export const JOB_EVENT_KINDS = ['state', 'progress', 'completed', 'failed', 'cancelled'] as const;

export type JobEventKindName = (typeof JOB_EVENT_KINDS)[number];

/**
 * One event of the stream, as an EventSource client sees it: what the document publishes as the
 * `text/event-stream` schema (OpenAPI 3.1 describes each event with `schema`; 3.2 calls it `itemSchema`).
 * `data` is the job view (`JobView`) as JSON text, stated with `contentMediaType` and `contentSchema`.
 */
export const jobEventSchema = named(
  'JobEvent',
  z.strictObject({
    id: z.string().describe('The event number in this stream; sent back as Last-Event-ID on a reconnect'),
    event: z.enum(JOB_EVENT_KINDS),
    data: z
      .string()
      .meta({ contentMediaType: 'application/json', contentSchema: { $ref: '#/components/schemas/JobView' } })
      .describe("The job's view (JobView) as JSON, as GET /v1/jobs/:id shows it"),
  }),
);
