/**
 * The error statuses an operation may document, each with what it means in this api. Every one is
 * answered as RFC 9457 problem details (`application/problem+json`, the `Problem` schema).
 */
export const PROBLEM_STATUSES = {
  400: 'Malformed request: not JSON, an invalid header or query string (see `errors`)',
  401: 'No API key, or not a valid one: send `Authorization: Bearer <key>`',
  403: "The key lacks this operation's scope",
  404: 'No such job, or it belongs to another tenant',
  409: 'Conflicts with the current state (see `detail`)',
  413: 'The body is over 1 MiB',
  414: 'A path segment is too long (job ids are UUIDs)',
  415: 'The body is not `application/json`',
  422: 'The request is well-formed but invalid: every mistake is listed in `errors`',
  429: 'Backpressure: the key made too many requests (RATE_LIMIT), or a tenant, lane or store quota is full; retry after `Retry-After` seconds',
  503: 'The job store (Redis) is not reachable or is full; retry later',
} as const;

export type ProblemStatus = keyof typeof PROBLEM_STATUSES;

/** One documented response header. */
export interface HeaderContract {
  description: string;
  required?: boolean;
  schema: { type: 'string' | 'integer' };
}

/** Headers that come with some problems whatever the operation. */
export const PROBLEM_HEADERS: Partial<Record<ProblemStatus, Record<string, HeaderContract>>> = {
  401: {
    'WWW-Authenticate': { description: 'Always `Bearer`', required: true, schema: { type: 'string' } },
  },
  429: {
    'Retry-After': {
      description: 'Seconds to wait before trying again',
      required: true,
      schema: { type: 'integer' },
    },
    'RateLimit-Limit': {
      description: 'Requests a key may make per window (when RATE_LIMIT refused the request)',
      schema: { type: 'integer' },
    },
    'RateLimit-Remaining': { description: 'Requests left in the window', schema: { type: 'integer' } },
    'RateLimit-Reset': { description: 'Seconds until the window resets', schema: { type: 'integer' } },
  },
  503: {
    'Retry-After': {
      description: 'Seconds to wait before trying again, when the api knows (JOB_WATCHES_MAX is full)',
      schema: { type: 'integer' },
    },
  },
};
