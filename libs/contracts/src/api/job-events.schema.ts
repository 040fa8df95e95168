/**
 * The `event:` names of `GET /v1/jobs/:id/events` (Server-Sent Events). The first event is `state` (or
 * the job's end when it already ended); the last is `completed`, `failed` or `cancelled`, after which
 * the server closes the stream. Comment lines (`: keep-alive`) come every 15 s while nothing happens.
 */
export const JOB_EVENT_KINDS = ['state', 'progress', 'completed', 'failed', 'cancelled'] as const;

export type JobEventKindName = (typeof JOB_EVENT_KINDS)[number];
