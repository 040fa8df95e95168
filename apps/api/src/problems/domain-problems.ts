import type { ProblemDetails } from '@switchyard/contracts';
import {
  IdempotencyKeyBusyError,
  IdempotencyKeyReusedError,
  InvalidCursorError,
  InvalidIdempotencyKeyError,
  InvalidJobQueryError,
  InvalidJobRequestError,
  JobAlreadyFinishedError,
  JobNotFoundError,
  JobNotRetryableError,
  TooManyJobWatchesError,
  UnknownLaneError,
} from '@switchyard/queue';
import { BackpressureError } from '@switchyard/quotas';
import { ProblemError } from './problem-error';

/** An error the libs (or Redis below them) throw, as the problem a client gets; undefined when not its kind. */
type ProblemRow = (error: unknown) => ProblemError | undefined;

type ErrorClass<E extends Error> = abstract new (...args: never[]) => E;

/** A domain error class answered with `status` and `title`; its message is the problem's detail. */
function domain<E extends Error>(
  type: ErrorClass<E>,
  status: number,
  title: string,
  more: {
    extras?: (error: E) => Partial<ProblemDetails>;
    headers?: (error: E) => Record<string, string>;
  } = {},
): ProblemRow {
  return (error) =>
    error instanceof type
      ? new ProblemError(status, title, error.message, more.extras?.(error), more.headers?.(error))
      : undefined;
}

/** Redis at maxmemory under `noeviction` refuses writes: the job store is full, nothing was written. */
function isRedisFull(error: unknown): boolean {
  return error instanceof Error && /^OOM command not allowed/.test(error.message);
}

/**
 * ioredis gave up on a command: Redis is away, which is no client mistake and no bug either. On a Redis
 * Cluster also: the cluster is down (a master lost with no replica to take over), its slot map cannot be
 * read, or the client gave up following redirections.
 */
function isRedisUnavailable(error: unknown): boolean {
  return (
    error instanceof Error &&
    (error.name === 'MaxRetriesPerRequestError' ||
      /Connection is closed|ECONNREFUSED|Stream isn't writeable/.test(error.message) ||
      /^CLUSTERDOWN|Failed to refresh slots cache|None of startup nodes is available|Cluster isn't ready|Too many Cluster redirections/.test(
        error.message,
      ))
  );
}

const REDIS_FULL = new ProblemError(
  503,
  'Job store full',
  'Redis has reached its maxmemory and refuses new jobs (nothing was written); retry later, or raise maxmemory / lower the retention limits',
);
const REDIS_UNAVAILABLE = new ProblemError(
  503,
  'Service unavailable',
  'the job store (Redis) is not reachable; retry shortly',
);

/**
 * The one table from what the libs throw to what a client sees: status, title, extension members and
 * headers. The libs know nothing of HTTP; a new domain error gets its row here, or it is a 500.
 */
const PROBLEM_ROWS: readonly ProblemRow[] = [
  domain(InvalidJobRequestError, 422, 'Invalid job request', {
    extras: (error) => ({ errors: error.errors }),
  }),
  domain(JobNotFoundError, 404, 'Job not found'),
  domain(JobAlreadyFinishedError, 409, 'Job already finished', {
    extras: (error) => ({ state: error.state }),
  }),
  domain(JobNotRetryableError, 409, 'Job not retryable', {
    extras: (error) => ({ state: error.state }),
  }),
  domain(UnknownLaneError, 404, 'Lane not found', { extras: (error) => ({ lanes: [...error.lanes] }) }),
  domain(TooManyJobWatchesError, 503, 'Too many job watches', {
    headers: (error) => ({ 'retry-after': String(error.retryAfterSeconds) }),
  }),
  domain(InvalidIdempotencyKeyError, 400, 'Invalid Idempotency-Key'),
  domain(IdempotencyKeyReusedError, 409, 'Idempotency-Key reused', {
    extras: (error) => ({ jobId: error.jobId }),
  }),
  domain(IdempotencyKeyBusyError, 409, 'Idempotency-Key busy'),
  domain(InvalidCursorError, 400, 'Invalid cursor', {
    extras: () => ({ errors: [{ path: 'cursor', message: 'not a cursor returned by GET /v1/jobs' }] }),
  }),
  domain(InvalidJobQueryError, 400, 'Invalid query', { extras: (error) => ({ errors: error.errors }) }),
  domain(BackpressureError, 429, 'Too many jobs', {
    headers: (error) => ({ 'retry-after': String(error.retryAfterSeconds) }),
  }),
  (error) => (isRedisFull(error) ? REDIS_FULL : undefined),
  (error) => (isRedisUnavailable(error) ? REDIS_UNAVAILABLE : undefined),
];

/** The problem for an error thrown below the api, or undefined for one the table does not know. */
export function fromDomainError(error: unknown): ProblemError | undefined {
  for (const row of PROBLEM_ROWS) {
    const problem = row(error);
    if (problem) return problem;
  }
  return undefined;
}
